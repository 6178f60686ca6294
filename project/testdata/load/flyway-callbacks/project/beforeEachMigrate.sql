set lock_timeout = 1000;
