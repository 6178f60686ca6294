create view book_titles as select title from books;
