-- This file sets up helpers the other migrations use.
CREATE TABLE diesel_setup_marker (id INTEGER PRIMARY KEY);
