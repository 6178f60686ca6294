-- Create "teams" table
CREATE TABLE teams (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);
