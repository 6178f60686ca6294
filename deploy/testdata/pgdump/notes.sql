-- tandem:change load
--
-- PostgreSQL database dump (written for tandem's tests in the form pg_dump gives)
--

\restrict Zx81kQvTm3

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET check_function_bodies = false;

CREATE TABLE notes (
    id integer NOT NULL,
    body text,
    tag character varying(20)
);

CREATE TABLE empty_one (
    x integer
);

--
-- Data for Name: notes; Type: TABLE DATA; Schema: app; Owner: -
--

COPY notes (id, body, tag) FROM stdin;
1	tab\there	\N
2	line\nbreak and \\backslash\\	x
3	grüße, 日本語 – ünïcödé	;
4		'quoted' "double"
5	\\N is not null	\\.
6	carriage\rreturn	\t
7	octal \101 hex \x42 \u00e9	-- not a comment
\.


--
-- Data for Name: empty_one; Type: TABLE DATA; Schema: app; Owner: -
--

COPY empty_one (x) FROM stdin;
\.


ALTER TABLE ONLY notes
    ADD CONSTRAINT notes_pkey PRIMARY KEY (id);

--
-- PostgreSQL database dump complete
--

\unrestrict Zx81kQvTm3
