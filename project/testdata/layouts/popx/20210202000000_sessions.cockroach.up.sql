CREATE TABLE sessions (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), account_id INT8 NOT NULL, data JSONB);
