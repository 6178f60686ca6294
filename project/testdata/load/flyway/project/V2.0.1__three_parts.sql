select 201;
