DROP TABLE diesel_setup_marker;
