create table books (id integer primary key, author_id integer not null references authors (id), title text);
