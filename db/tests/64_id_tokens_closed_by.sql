-- OCPP 2.0.1 id token details through the API (ocpp.api_set_id_token, ocpp.api_id_token,
-- ocpp.api_id_token_page with its total), in the CSV export and import with the formula guard
-- (db/functions/11_api/id_tags.sql), and closedBy of a force-closed transaction (issue 18).
BEGIN;
SELECT plan(36);

CREATE FUNCTION pg_temp.detail(statement text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE d text;
BEGIN
    EXECUTE statement;
    RETURN NULL;
EXCEPTION WHEN SQLSTATE 'OC007' THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN d;
END;
$f$;

-- set and read the details
SELECT is(ocpp.api_set_id_token('EV-1', 'Accepted', NULL, 'FLEET',
          '{"tokenType": "ISO14443", "groupIdToken": "DEPOT", "groupTokenType": "Central", "evseIds": [2, 1],
            "chargingPriority": -3, "language1": "de-DE", "language2": "en",
            "personalMessage": {"format": "UTF8", "language": "de", "content": "Hallo"}}')
          - 'createdAt' - 'updatedAt',
          '{"idTag": "EV-1", "status": "Accepted", "expiryDate": null, "parentIdTag": "FLEET",
            "tokenType": "ISO14443", "groupIdToken": "DEPOT", "groupTokenType": "Central", "evseIds": [2, 1],
            "chargingPriority": -3, "language1": "de-DE", "language2": "en",
            "personalMessage": {"format": "UTF8", "language": "de", "content": "Hallo"}}',
          'api_set_id_token: the tag with its 2.0.1 details');
SELECT is((SELECT (token_type, group_id_token, group_token_type, evse_ids, charging_priority, language1, language2)::text
             FROM cs.id_tag WHERE id_tag = 'EV-1'),
          '(ISO14443,DEPOT,Central,"{2,1}",-3,de-DE,en)', 'api_set_id_token: stored in cs.id_tag');
SELECT is(ocpp.api_set_id_token('EV-1', 'Blocked', NULL, NULL, '{"language2": null}', true)
          - 'createdAt' - 'updatedAt',
          '{"idTag": "EV-1", "status": "Blocked", "expiryDate": null, "parentIdTag": null,
            "tokenType": "ISO14443", "groupIdToken": "DEPOT", "groupTokenType": "Central", "evseIds": [2, 1],
            "chargingPriority": -3, "language1": "de-DE", "language2": null,
            "personalMessage": {"format": "UTF8", "language": "de", "content": "Hallo"}}',
          'api_set_id_token: a detail left out keeps its value, null clears it');
SELECT is(ocpp.api_id_token('EV-1')->'evseIds', '[2, 1]', 'api_id_token: with the details');
SELECT throws_ok($$SELECT ocpp.api_id_token('NONE')$$, 'OC010', 'unknown id tag', 'api_id_token: unknown');
SELECT throws_ok($$SELECT ocpp.api_set_id_token('NONE', 'Accepted', NULL, NULL, '{}', true)$$, 'OC010',
                 'unknown id tag', 'api_set_id_token: an update of an unknown tag');
SELECT throws_ok($$SELECT ocpp.api_set_id_token('EV-2', 'Accepted', NULL, NULL, '{"tokenType": "Card"}')$$,
                 'OC007', 'invalid id token details', 'api_set_id_token: a bad token type');
SELECT is(pg_temp.detail($$SELECT ocpp.api_set_id_token('EV-2', 'Accepted', NULL, NULL,
          '{"tokenType": "Card", "groupIdToken": "", "groupTokenType": 5, "evseIds": [0, 1.5], "chargingPriority": 10,
            "language1": "english!", "language2": "de-DE-bavaria", "personalMessage": {"format": "RTF", "content": "", "colour": "red"}}')$$),
          E'tokenType "Card" is not one of Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, NoAuthorization\n'
          'groupTokenType 5 is not one of Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, NoAuthorization\n'
          'groupIdToken "" is not a text of 1 to 36 characters\n'
          'evseIds [0, 1.5] is not a list of EVSE ids (positive integers; null: every EVSE)\n'
          'chargingPriority 10 is not an integer from -9 to 9\n'
          'language1 "english!" is not a language code (RFC 5646, at most 8 characters: en, de-DE)\n'
          'language2 "de-DE-bavaria" is not a language code (RFC 5646, at most 8 characters: en, de-DE)\n'
          'personalMessage format "RTF" is not one of ASCII, HTML, URI, UTF8\n'
          'personalMessage content "" is not a text of 1 to 512 characters\n'
          'personalMessage has no field colour (its fields are format, content, language)',
          'api_set_id_token: every bad detail named in words');
SELECT is(cs.id_token_detail_faults('{"evseIds": [1, 1], "chargingPriority": "high", "personalMessage": "hi"}'),
          ARRAY['evseIds [1, 1] names an EVSE twice', 'chargingPriority "high" is not an integer from -9 to 9',
                'personalMessage "hi" is not an object with format, content and language'],
          'details: a repeated EVSE, a priority in words, a message that is not an object');
SELECT is(cs.id_token_detail_faults('{"evseIds": [], "personalMessage": {"content": "x", "language": "x"}}'),
          ARRAY['evseIds [] is not a list of EVSE ids (positive integers; null: every EVSE)',
                'personalMessage format missing is not one of ASCII, HTML, URI, UTF8',
                'personalMessage language "x" is not a language code (RFC 5646, at most 8 characters: en, de-DE)'],
          'details: an empty EVSE list, a message without format, a bad message language');
SELECT is(cs.id_token_detail_faults('[]'), ARRAY['the id token details must be a JSON object'], 'details: not an object');
SELECT is(ocpp.api_id_token('EV-1')->>'status', 'Blocked', 'a refused change changes nothing');

-- what a 2.0.1 station hears
SELECT ocpp.api_set_id_token('EV-1', 'Accepted', NULL, NULL, '{"language2": "fr"}', true);
SELECT is(cs.v201_id_token_info('{"idToken": "EV-1", "type": "ISO14443"}', false, NULL, 1),
          '{"status": "Accepted", "chargingPriority": -3, "language1": "de-DE", "language2": "fr", "evseId": [2, 1],
            "groupIdToken": {"idToken": "DEPOT", "type": "Central"},
            "personalMessage": {"format": "UTF8", "language": "de", "content": "Hallo"}}',
          'idTokenInfo carries the details set through the API');

-- the counted page
SELECT ocpp.set_id_tag('EV-3', 'Blocked', NULL, 'FLEET');
SELECT ocpp.set_id_tag('OTHER');
SELECT is(ocpp.api_id_token_page('ev', NULL, 1, 0)->'total', '2', 'page: the total of every match');
SELECT is(jsonb_array_length(ocpp.api_id_token_page('ev', NULL, 1, 0)->'tags'), 1, 'page: one page of them');
SELECT is(ocpp.api_id_token_page('ev', NULL, 1, 1)->'tags'->0->>'idTag', 'EV-3', 'page: the second page');
SELECT is(ocpp.api_id_token_page('', 'Blocked')->'total', '1', 'page: by status');
SELECT is(ocpp.api_id_token_page(NULL, NULL, 1, 5), '{"total": 3, "tags": []}', 'page: past the end');
SELECT is(ocpp.api_id_token_page('EV-1')->'tags'->0->>'language1', 'de-DE', 'page: with the details');
SELECT throws_ok($$SELECT ocpp.api_id_token_page(NULL, 'Maybe')$$, 'OC007', 'invalid id tag status', 'page: bad status');
SELECT throws_ok($$SELECT ocpp.api_id_token_page(NULL, NULL, 1, -1)$$, 'OC007', 'invalid offset', 'page: bad offset');

-- the CSV formula guard
SELECT is(ARRAY[cs.csv_guard('=SUM(A1)'), cs.csv_guard('+1'), cs.csv_guard('-3'), cs.csv_guard('@x'),
                cs.csv_guard(E'\tx'), cs.csv_guard(E'\rx'), cs.csv_guard('''=x'), cs.csv_guard('a=b'), cs.csv_guard('''x')],
          ARRAY['''=SUM(A1)', '''+1', '''-3', '''@x', E'''\tx', E'''\rx', '''''=x', 'a=b', '''x'],
          'guard: a '' before = + - @ tab CR (after any '' already there), nothing else');
SELECT is(ARRAY[cs.csv_unguard('''=SUM(A1)'), cs.csv_unguard('''''=x'), cs.csv_unguard('''x'), cs.csv_unguard('x')],
          ARRAY['=SUM(A1)', '''=x', '''x', 'x'], 'unguard: exactly the guard''s '' goes');

-- export and import with the details
SELECT ocpp.set_id_tag('=HYPERLINK("x")', 'Accepted', NULL, '@GROUP');
SELECT is(ocpp.export_id_tags(),
          E'idTag,status,expiryDate,parentIdTag,tokenType,groupIdToken,groupTokenType,evseIds,chargingPriority,language1,language2,personalMessageFormat,personalMessageLanguage,personalMessageContent\n'
          '"''=HYPERLINK(""x"")",Accepted,,''@GROUP,,,,,,,,,,\n'
          'EV-1,Accepted,,,ISO14443,DEPOT,Central,2 1,''-3,de-DE,fr,UTF8,de,Hallo\n'
          'EV-3,Blocked,,FLEET,,,,,,,,,,\n'
          'OTHER,Accepted,,,,,,,,,,,,\n',
          'export: the 2.0.1 columns when a tag has details, formulas guarded');
CREATE TEMP TABLE before AS SELECT * FROM cs.id_tag;
SELECT is(ocpp.import_id_tags(ocpp.export_id_tags()), '{"imported": 4, "added": 0, "changed": 4}', 'import: reads the export');
SELECT is((SELECT count(*) FROM cs.id_tag AS i JOIN before AS b USING (id_tag)
            WHERE (i.status, i.expiry_date, i.parent_id_tag, i.token_type, i.group_id_token, i.group_token_type,
                   i.evse_ids, i.charging_priority, i.language1, i.language2, i.personal_message)
                  IS NOT DISTINCT FROM
                  (b.status, b.expiry_date, b.parent_id_tag, b.token_type, b.group_id_token, b.group_token_type,
                   b.evse_ids, b.charging_priority, b.language1, b.language2, b.personal_message)),
          4::bigint, 'export then import: every tag as it was (lossless)');
SELECT is(ocpp.import_id_tags(E'idTag,status\nEV-1,Accepted\n')->>'changed', '1', 'import: an old CSV without the 2.0.1 columns');
SELECT is((SELECT (token_type, language1, charging_priority)::text FROM cs.id_tag WHERE id_tag = 'EV-1'),
          '(ISO14443,de-DE,-3)', 'import: the columns it leaves out keep their values');
SELECT ocpp.import_id_tags(E'idTag,evseIds,chargingPriority,language1,personalMessageContent,personalMessageFormat\nEV-1,"3;4, 5",,nl,Welkom,ASCII\n');
SELECT is((SELECT (evse_ids, charging_priority, language1, personal_message)::text FROM cs.id_tag WHERE id_tag = 'EV-1'),
          '("{3,4,5}",,nl,"{""format"": ""ASCII"", ""content"": ""Welkom""}")',
          'import: EVSE ids by space, comma or semicolon; an empty column clears; the message from its columns');
SELECT is(pg_temp.detail($$SELECT ocpp.import_id_tags(E'idTag,tokenType,evseIds,chargingPriority,language1,personalMessageContent\nA,Card,1 x,high,english!,hi\nB,,,,,\n')$$),
          E'line 2: tokenType "Card" is not one of Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, NoAuthorization\n'
          'line 2: evseIds "1 x" is not a list of EVSE ids (positive integers; null: every EVSE)\n'
          'line 2: chargingPriority "high" is not an integer from -9 to 9\n'
          'line 2: language1 "english!" is not a language code (RFC 5646, at most 8 characters: en, de-DE)\n'
          'line 2: personalMessage format missing is not one of ASCII, HTML, URI, UTF8',
          'import: bad 2.0.1 columns named in words, line by line');
SELECT is((SELECT count(*) FROM cs.id_tag WHERE id_tag IN ('A', 'B')), 0::bigint, 'import: all or nothing');

-- closedBy of a force-closed transaction
SELECT ocpp.parse('CB-1', 'u', 'StartTransaction',
                  '{"connectorId": 1, "idTag": "EV-3", "meterStart": 10, "timestamp": "2024-06-01T10:00:00Z"}');
SELECT ok(NOT (ocpp.transactionlist('CB-1')->0 ? 'closedBy'), 'a running transaction has no closedBy');
SELECT is(ocpp.close_transaction((SELECT max(id) FROM cs.transaction), 'PowerLoss')->'closedBy',
          jsonb_build_object('by', 'operator', 'user', session_user::text, 'reason', 'PowerLoss'),
          'closedBy: operator, who (the database role, from psql), the reason');
SELECT is(ocpp.api_transaction((SELECT max(id) FROM cs.transaction))->'closedBy'->>'by', 'operator',
          'closedBy: in the one transaction');
SELECT is(ocpp.transactionlist('CB-1')->0->'closedBy'->>'reason', 'PowerLoss', 'closedBy: in transactionlist');
CREATE FUNCTION pg_temp.close_as(token text) RETURNS jsonb LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM set_config('ocpp.api_token', token, true);
    RETURN ocpp.close_transaction((SELECT max(id) FROM cs.transaction), 'EmergencyStop');
END;
$f$;
SELECT ocpp.parse('CB-1', 'u', 'StartTransaction',
                  '{"connectorId": 1, "idTag": "EV-3", "meterStart": 10, "timestamp": "2024-06-02T10:00:00Z"}');
SELECT is(pg_temp.close_as(ocpp.api_token_create('night-shift', 'operator', NULL))->'closedBy',
          '{"by": "operator", "user": "night-shift", "reason": "EmergencyStop"}',
          'closedBy: the API token''s name when closed with one');
SELECT set_config('ocpp.api_token', '', true);

SELECT * FROM finish();
ROLLBACK;
