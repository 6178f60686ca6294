-- Fixture for Obevo's metadata-group scenario on SQLite and PostgreSQL: the scenario's file
-- comments its purpose with "//" lines, which H2 takes for comments and SQLite and PostgreSQL
-- do not; here they are "--" comments. The rest is as in the scenario.
//// METADATA order=1
-- naming the file as Z to ensure that it is alphabetically listed after the other REPORT_GROUP files so that we can
-- test out the ordering logic
DELETE FROM TABLE_C
GO
INSERT INTO TABLE_C (C_ID, C_VAL) VALUES (999, 'c999')
GO
