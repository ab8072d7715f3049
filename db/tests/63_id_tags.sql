-- Id tags: search, CSV export and the all-or-nothing CSV import (db/functions/11_api/id_tags.sql).
BEGIN;
SELECT plan(24);

SELECT is(cs.csv_fields('a,"b,c",,"d""e"'), ARRAY['a', 'b,c', '', 'd"e'], 'csv: quoted fields, an empty one');
SELECT is(cs.csv_fields('a,'), ARRAY['a', ''], 'csv: a trailing empty field');
SELECT is(cs.csv_fields('a,b"c'), NULL, 'csv: a stray quote is not CSV');
SELECT is(cs.csv_field('x,"y"'), '"x,""y"""', 'csv: a field with a comma and quotes is quoted');

SELECT ocpp.set_id_tag('FLEET-1', 'Accepted', '2030-01-01T00:00:00Z', 'FLEET');
SELECT ocpp.set_id_tag('fleet-2', 'Blocked', NULL, 'FLEET');
SELECT ocpp.set_id_tag('OTHER', 'Accepted');

SELECT is((SELECT array_agg(t->>'idTag') FROM jsonb_array_elements(ocpp.api_find_id_tags('FLEET')) AS t),
          ARRAY['FLEET-1', 'fleet-2'], 'search: a substring of idTag or parentIdTag, any case');
SELECT is(ocpp.api_find_id_tags('fleet', 'Blocked')->0->>'idTag', 'fleet-2', 'search: by status');
SELECT is(jsonb_array_length(ocpp.api_find_id_tags(NULL, NULL, 1, 1)), 1, 'search: paged');
SELECT is(jsonb_array_length(ocpp.api_find_id_tags('', '')), 3, 'search: empty search and status: all');
SELECT throws_ok($$SELECT ocpp.api_find_id_tags(NULL, 'Maybe')$$, 'OC007', 'invalid id tag status', 'search: bad status');
SELECT throws_ok($$SELECT ocpp.api_find_id_tags(NULL, NULL, -1)$$, 'OC007', 'invalid limit', 'search: bad limit');

SELECT is(ocpp.export_id_tags(),
          E'idTag,status,expiryDate,parentIdTag\nFLEET-1,Accepted,2030-01-01T00:00:00.000Z,FLEET\nOTHER,Accepted,,\nfleet-2,Blocked,,FLEET\n',
          'export: a header, then one line per tag');

SELECT is(ocpp.import_id_tags(E'idTag,status,expiryDate,parentIdTag\r\nNEW-1,,,\r\n\r\n"NEW,2",Blocked,2031-06-01T12:00:00Z,FLEET\r\nOTHER,Invalid,,\r\n'),
          '{"imported": 3, "added": 2, "changed": 1}'::jsonb, 'import: adds and replaces');
SELECT is((SELECT status FROM cs.id_tag WHERE id_tag = 'NEW-1'), 'Accepted', 'import: an empty status is Accepted');
SELECT is((SELECT (status, expiry_date, parent_id_tag)::text FROM cs.id_tag WHERE id_tag = 'NEW,2'),
          ('Blocked', '2031-06-01T12:00:00Z'::timestamptz, 'FLEET')::text, 'import: a quoted idTag with its fields');
SELECT is((SELECT status FROM cs.id_tag WHERE id_tag = 'OTHER'), 'Invalid', 'import: an existing tag changed');
SELECT is(ocpp.import_id_tags(E'parentIdTag,idTag\nG,ONLY-ID\n')->>'imported', '1', 'import: columns in any order, some left out');
SELECT is((SELECT (status, parent_id_tag)::text FROM cs.id_tag WHERE id_tag = 'ONLY-ID'), '(Accepted,G)', 'import: by column name');
SELECT is(ocpp.import_id_tags(ocpp.export_id_tags())->>'changed', '6', 'import: reads what export writes');

SELECT throws_ok($$SELECT ocpp.import_id_tags('')$$, 'OC007', 'invalid id tag CSV', 'import: no header');
SELECT throws_ok($$SELECT ocpp.import_id_tags(E'idTag,colour\nA,red')$$, 'OC007', 'invalid id tag CSV', 'import: an unknown column');
SELECT throws_ok($$SELECT ocpp.import_id_tags(E'idTag,status,expiryDate\nBAD-1,Maybe,\nGOOD,,\nBAD-2,,soon\nGOOD,,\n"x,y\n')$$,
                 'OC007', 'invalid id tag CSV', 'import: bad lines refuse the file');
SELECT is((SELECT count(*) FROM cs.id_tag WHERE id_tag IN ('BAD-1', 'GOOD', 'BAD-2')), 0::bigint, 'import: all or nothing');

CREATE FUNCTION pg_temp.import_detail(csv text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE d text;
BEGIN
    PERFORM ocpp.import_id_tags(csv);
    RETURN NULL;
EXCEPTION WHEN SQLSTATE 'OC007' THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN d;
END;
$f$;
SELECT is(pg_temp.import_detail(E'idTag,status,expiryDate\nBAD-1,Maybe,\nGOOD,,\nBAD-2,,soon\nGOOD,,\n"x,y\n,,\n'),
          E'line 2: status "Maybe" is not Accepted, Blocked, Expired or Invalid\n'
          'line 4: expiryDate "soon" is not a date and time (ISO 8601)\n'
          'line 6: not CSV (a stray double quote)\n'
          'line 7: idTag "" does not have 1 to 36 characters\n'
          'line 5: idTag GOOD is in the file twice (first on line 3)',
          'import: every bad line named in words');
SELECT is(pg_temp.import_detail('idTag' || (SELECT string_agg(E'\nT' || g, '') FROM generate_series(1, 10001) AS g)),
          'line 10002: more than 10000 id tags in one file', 'import: at most 10000 tags');

SELECT * FROM finish();
ROLLBACK;
