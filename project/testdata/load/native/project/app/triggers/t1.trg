create trigger t1 after insert on users for each row execute function add();
