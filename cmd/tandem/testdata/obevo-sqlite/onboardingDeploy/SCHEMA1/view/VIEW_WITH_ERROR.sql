-- SQLite fixture for Obevo's onboardingDeploy scenario: SQLite creates a view on a table that
-- does not exist (the error comes when the view is read), so this view names a table in a
-- database that does not exist, which SQLite refuses at CREATE VIEW, as H2 refuses the
-- scenario's view on the missing table blahblahblah.
CREATE VIEW VIEW_WITH_ERROR AS SELECT * FROM blahblahblah.TABLE_A
