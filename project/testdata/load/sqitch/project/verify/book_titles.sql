-- Verify shelf:book_titles

