-- Id tags for the REST API and the web UI's tag page (docs/rest-api.md): search, and CSV import and
-- export with the columns idTag,status,expiryDate,parentIdTag. An import is all or nothing: one bad
-- line refuses the whole file, with every bad line named in words.

-- cs.csv_fields(line): the fields of one CSV line (RFC 4180: comma separated, a field in double
-- quotes may hold commas and "" for a quote), null for a line that is not CSV (a stray quote).
-- Returns text[]. Raises nothing.
CREATE OR REPLACE FUNCTION cs.csv_fields(line text)
RETURNS text[]
LANGUAGE plpgsql
IMMUTABLE
AS $$
DECLARE
    fields text[] := ARRAY[]::text[];
    rest   text := line;
    m      text[];
BEGIN
    LOOP
        IF left(rest, 1) = '"' THEN
            m := regexp_match(rest, '^"((?:[^"]|"")*)"(,|$)');
            IF m IS NULL THEN
                RETURN NULL;
            END IF;
            fields := fields || replace(m[1], '""', '"');
            rest := substr(rest, length(m[1]) + 3 + length(m[2]));
        ELSE
            m := regexp_match(rest, '^([^,"]*)(,|$)');
            IF m IS NULL THEN
                RETURN NULL;
            END IF;
            fields := fields || m[1];
            rest := substr(rest, length(m[1]) + 1 + length(m[2]));
        END IF;
        EXIT WHEN m[2] = '';
    END LOOP;
    RETURN fields;
END;
$$;

-- cs.csv_field(value): value as one CSV field: quoted when it holds a comma, a quote or a line
-- break, empty for null. Returns text. Raises nothing.
CREATE OR REPLACE FUNCTION cs.csv_field(value text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN value IS NULL THEN ''
                WHEN value ~ '[",\r\n]' THEN '"' || replace(value, '"', '""') || '"'
                ELSE value END
$$;

-- cs.find_id_tags(search, status, lim, off): the id tags whose idTag or parentIdTag holds search (case
-- insensitive; null or '': any) and whose status is status (null or '': any), in idTag order, lim of
-- them (null: all) after skipping off. Returns the cs.id_tag rows. Raises OC007 for a status other
-- than Accepted, Blocked, Expired, Invalid, or a negative lim or off.
CREATE OR REPLACE FUNCTION cs.find_id_tags(search text, status text, lim integer, off integer)
RETURNS SETOF cs.id_tag
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    PERFORM cs.check_paging(lim, off, NULL, NULL);
    IF find_id_tags.status <> '' AND find_id_tags.status NOT IN ('Accepted', 'Blocked', 'Expired', 'Invalid') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id tag status',
                              format('status %s is not Accepted, Blocked, Expired or Invalid',
                                     find_id_tags.status));
    END IF;
    RETURN QUERY
    SELECT * FROM cs.id_tag AS i
     WHERE (coalesce(search, '') = ''
            OR strpos(lower(i.id_tag), lower(search)) > 0
            OR strpos(lower(i.parent_id_tag), lower(search)) > 0)
       AND (coalesce(find_id_tags.status, '') = '' OR i.status = find_id_tags.status)
     ORDER BY i.id_tag LIMIT lim OFFSET coalesce(off, 0);
END;
$$;

-- ocpp.api_find_id_tags(search, status, lim, off): the id tags cs.find_id_tags finds (see there), as
-- cs.id_tag_json. Returns a jsonb array. Raises what cs.find_id_tags raises.
CREATE OR REPLACE FUNCTION ocpp.api_find_id_tags(search text DEFAULT NULL, status text DEFAULT NULL,
                                                 lim integer DEFAULT 100, off integer DEFAULT 0)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(cs.id_tag_json(x) ORDER BY x.id_tag), '[]'::jsonb)
              FROM cs.find_id_tags(search, api_find_id_tags.status, lim, off) AS x);
END;
$$;

-- ocpp.export_id_tags(): every id tag as CSV text: the header idTag,status,expiryDate,parentIdTag,
-- then one line per tag in idTag order (expiryDate as OCPP time, empty when none), each line ended
-- by a line feed; what ocpp.import_id_tags reads. When any tag has 2.0.1 details, the columns of
-- cs.csv_detail_columns follow parentIdTag (evseIds space separated, the personal message in three
-- columns). A field that starts with = + - @, a tab or a carriage return gets a ' before it
-- (cs.csv_guard), so that a spreadsheet does not run it as a formula; the import takes it off again.
-- Returns text. Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.export_id_tags()
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    details boolean := EXISTS (SELECT FROM cs.id_tag AS i
                                WHERE num_nonnulls(i.token_type, i.group_id_token, i.group_token_type, i.evse_ids,
                                                   i.charging_priority, i.language1, i.language2,
                                                   i.personal_message) > 0);
BEGIN
    RETURN 'idTag,status,expiryDate,parentIdTag'
        || CASE WHEN details THEN ',' || array_to_string(cs.csv_detail_columns(), ',') ELSE '' END || E'\n'
        || coalesce((SELECT string_agg(
                         (SELECT string_agg(cs.csv_field(cs.csv_guard(f)), ',' ORDER BY o)
                            FROM unnest(ARRAY[i.id_tag, i.status, cs.ocpp_time(i.expiry_date), i.parent_id_tag]
                                        || CASE WHEN details
                                                THEN ARRAY[i.token_type, i.group_id_token, i.group_token_type,
                                                           array_to_string(i.evse_ids, ' '),
                                                           i.charging_priority::text, i.language1, i.language2,
                                                           i.personal_message->>'format',
                                                           i.personal_message->>'language',
                                                           i.personal_message->>'content']
                                                ELSE ARRAY[]::text[] END) WITH ORDINALITY AS u (f, o))
                         || E'\n', '' ORDER BY i.id_tag)
                       FROM cs.id_tag AS i), '');
END;
$$;

-- cs.csv_detail_columns(): the CSV columns of the 2.0.1 details of an id tag, in export order.
-- Returns text[]. Raises nothing.
CREATE OR REPLACE FUNCTION cs.csv_detail_columns()
RETURNS text[]
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT ARRAY['tokenType', 'groupIdToken', 'groupTokenType', 'evseIds', 'chargingPriority', 'language1',
                 'language2', 'personalMessageFormat', 'personalMessageLanguage', 'personalMessageContent']
$$;

-- cs.csv_details(header, fields): the 2.0.1 details (REST form, as cs.id_token_detail_faults checks
-- them) of one CSV line whose header is header: only the detail columns the header has, an empty
-- field null; evseIds a list of integers separated by spaces, commas or semicolons; the three
-- personalMessage columns one object (null when its format and content are both empty). A field
-- that is not a number where one belongs stays text, for the check to name. Returns jsonb.
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.csv_details(header text[], fields text[])
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
AS $$
DECLARE
    details jsonb := '{}'::jsonb;
    col     text;
    value   text;
    message jsonb;
BEGIN
    FOREACH col IN ARRAY ARRAY['tokenType', 'groupIdToken', 'groupTokenType', 'language1', 'language2'] LOOP
        IF col = ANY (header) THEN
            details := details || jsonb_build_object(col, nullif(fields[array_position(header, col)], ''));
        END IF;
    END LOOP;
    IF 'chargingPriority' = ANY (header) THEN
        value := nullif(fields[array_position(header, 'chargingPriority')], '');
        details := details || jsonb_build_object('chargingPriority',
            CASE WHEN value ~ '^[-+]?[0-9]{1,9}$' THEN to_jsonb(value::integer) ELSE to_jsonb(value) END);
    END IF;
    IF 'evseIds' = ANY (header) THEN
        value := btrim(fields[array_position(header, 'evseIds')], E' ,;\t');
        details := details || jsonb_build_object('evseIds',
            CASE WHEN value = '' THEN NULL
                 WHEN value ~ '^[0-9]{1,9}([ ,;]+[0-9]{1,9})*$'
                 THEN (SELECT jsonb_agg(e::integer ORDER BY o)
                         FROM regexp_split_to_table(value, '[ ,;]+') WITH ORDINALITY AS u (e, o))
                 ELSE to_jsonb(value) END);
    END IF;
    IF header && ARRAY['personalMessageFormat', 'personalMessageLanguage', 'personalMessageContent'] THEN
        message := jsonb_strip_nulls(jsonb_build_object(
            'format', nullif(fields[array_position(header, 'personalMessageFormat')], ''),
            'language', nullif(fields[array_position(header, 'personalMessageLanguage')], ''),
            'content', nullif(fields[array_position(header, 'personalMessageContent')], '')));
        details := details || jsonb_build_object('personalMessage',
            CASE WHEN message ?| ARRAY['format', 'content'] THEN message END);
    END IF;
    RETURN details;
END;
$$;

-- ocpp.import_id_tags(csv): adds or replaces (ocpp.set_id_tag) the id tags of a CSV text: a header
-- naming idTag and any of status, expiryDate, parentIdTag and the 2.0.1 detail columns
-- (cs.csv_detail_columns, read by cs.csv_details; those the header leaves out keep their values,
-- an empty one clears its detail) in any order, then one tag a line; an empty status is Accepted,
-- an empty expiryDate or parentIdTag none; blank lines are skipped; at most 10000 tags. A field's
-- leading ' before = + - @, a tab or a carriage return (cs.csv_guard of the export) is taken off
-- (cs.csv_unguard). All or nothing: nothing changes unless every line is good.
-- Returns {"imported", "added", "changed"} (counts of tags). Raises OC007 'invalid id tag CSV' with
-- DETAIL one line per fault, "line N: ..." (at most 100, then how many more), for a missing or bad
-- header, a line that is not CSV or has another number of fields than the header, a bad idTag,
-- status, expiryDate or parentIdTag, bad 2.0.1 details (cs.id_token_detail_faults), an idTag twice
-- in the file, or more than 10000 tags.
CREATE OR REPLACE FUNCTION ocpp.import_id_tags(csv text)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    max_tags   constant integer := 10000;
    max_faults constant integer := 100;
    columns    constant text[] := ARRAY['idTag', 'status', 'expiryDate', 'parentIdTag'];
    known      constant text[] := columns || cs.csv_detail_columns();
    lines      text[] := regexp_split_to_array(coalesce(csv, ''), E'\r?\n');
    header     text[];
    faults     text[] := ARRAY[]::text[];
    nbad       integer := 0;
    before     integer;
    tags       text[] := ARRAY[]::text[];
    statuses   text[] := ARRAY[]::text[];
    expiries   timestamptz[] := ARRAY[]::timestamptz[];
    parents    text[] := ARRAY[]::text[];
    line_numbers integer[] := ARRAY[]::integer[];
    details    jsonb[] := ARRAY[]::jsonb[];
    detail     jsonb;
    expires    timestamptz;
    fields     text[];
    n          integer;
    col        integer;
    tag        text;
    tag_status text;
    expiry     text;
    parent     text;
    added      integer;
BEGIN
    -- the header: the first line that is not blank
    n := 1;
    WHILE n <= cardinality(lines) AND btrim(lines[n]) = '' LOOP
        n := n + 1;
    END LOOP;
    header := CASE WHEN n <= cardinality(lines) THEN cs.csv_fields(btrim(lines[n], E' \t\uFEFF')) END;
    IF header IS NULL THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id tag CSV',
                              'line 1: the header row idTag,status,expiryDate,parentIdTag is missing');
    END IF;
    header := (SELECT array_agg(btrim(h) ORDER BY o) FROM unnest(header) WITH ORDINALITY AS u (h, o));
    FOR col IN 1 .. cardinality(header) LOOP
        IF header[col] <> ALL (known) THEN
            faults := faults || format('line %s: unknown column "%s" (the columns are %s; for OCPP 2.0.1 also %s)',
                                       n, header[col], array_to_string(columns, ','),
                                       array_to_string(cs.csv_detail_columns(), ','));
        ELSIF array_position(header, header[col]) <> col THEN
            faults := faults || format('line %s: column %s is named twice', n, header[col]);
        END IF;
    END LOOP;
    IF NOT 'idTag' = ANY (header) THEN
        faults := faults || format('line %s: the header has no idTag column', n);
    END IF;
    IF cardinality(faults) > 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id tag CSV', array_to_string(faults, E'\n'));
    END IF;

    FOR n IN n + 1 .. cardinality(lines) LOOP
        CONTINUE WHEN btrim(lines[n]) = '';
        IF cardinality(tags) + nbad >= max_tags THEN
            faults := faults || format('line %s: more than %s id tags in one file', n, max_tags);
            EXIT;
        END IF;
        before := cardinality(faults);
        fields := (SELECT array_agg(cs.csv_unguard(btrim(f)) ORDER BY o)
                     FROM unnest(cs.csv_fields(lines[n])) WITH ORDINALITY AS u (f, o));
        IF fields IS NULL THEN
            faults := faults || format('line %s: not CSV (a stray double quote)', n);
        ELSIF cardinality(fields) <> cardinality(header) THEN
            faults := faults || format('line %s: %s fields where the header has %s', n, cardinality(fields),
                                       cardinality(header));
        ELSE
            tag := btrim(fields[array_position(header, 'idTag')]);
            tag_status := coalesce(nullif(btrim(fields[array_position(header, 'status')]), ''), 'Accepted');
            expiry := nullif(btrim(fields[array_position(header, 'expiryDate')]), '');
            parent := nullif(btrim(fields[array_position(header, 'parentIdTag')]), '');
            expires := NULL;
            IF length(tag) NOT BETWEEN 1 AND 36 THEN
                faults := faults || format('line %s: idTag "%s" does not have 1 to 36 characters', n, tag);
            END IF;
            IF tag_status NOT IN ('Accepted', 'Blocked', 'Expired', 'Invalid') THEN
                faults := faults || format('line %s: status "%s" is not Accepted, Blocked, Expired or Invalid',
                                           n, tag_status);
            END IF;
            IF expiry IS NOT NULL THEN
                BEGIN
                    expires := expiry::timestamptz;
                EXCEPTION WHEN data_exception THEN
                    faults := faults || format('line %s: expiryDate "%s" is not a date and time (ISO 8601)',
                                               n, expiry);
                END;
            END IF;
            IF length(parent) > 36 THEN
                faults := faults || format('line %s: parentIdTag "%s" has more than 36 characters', n, parent);
            END IF;
            detail := cs.csv_details(header, fields);
            faults := faults || ARRAY(SELECT format('line %s: %s', n, f)
                                        FROM unnest(cs.id_token_detail_faults(detail)) AS f);
        END IF;
        IF cardinality(faults) > before THEN
            nbad := nbad + 1;
        ELSE
            tags := tags || tag;
            statuses := statuses || tag_status;
            expiries := expiries || expires;
            parents := parents || parent;
            line_numbers := line_numbers || n;
            details := details || detail;
        END IF;
    END LOOP;
    faults := faults || ARRAY(
        SELECT format('line %s: idTag %s is in the file twice (first on line %s)', l, t, first_line)
          FROM (SELECT t, l, min(l) OVER (PARTITION BY t) AS first_line
                  FROM unnest(tags, line_numbers) AS u (t, l)) AS d
         WHERE l > first_line ORDER BY l);

    IF cardinality(faults) > 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id tag CSV',
                              array_to_string(faults[1:max_faults], E'\n')
                              || CASE WHEN cardinality(faults) > max_faults
                                      THEN format(E'\nand %s more', cardinality(faults) - max_faults) ELSE '' END);
    END IF;

    added := (SELECT count(*) FROM unnest(tags) AS u (t) WHERE NOT EXISTS (SELECT FROM cs.id_tag AS i WHERE i.id_tag = u.t));
    FOR n IN 1 .. cardinality(tags) LOOP
        PERFORM ocpp.set_id_tag(tags[n], statuses[n], expiries[n], parents[n]);
        PERFORM cs.set_id_token_details(tags[n], details[n]);
    END LOOP;
    RETURN jsonb_build_object('imported', cardinality(tags), 'added', added,
                              'changed', cardinality(tags) - added);
END;
$$;

-- --- OCPP 2.0.1 id token details, counted lists and the CSV formula guard (issue 18, tokens18) ---

-- cs.csv_guard(value): value as a spreadsheet may open it safely: one ' before a value that starts
-- with = + - @, a tab or a carriage return (a spreadsheet would run it as a formula), after any '
-- it starts with already, so that cs.csv_unguard gives the value back exactly. Raises nothing.
CREATE OR REPLACE FUNCTION cs.csv_guard(value text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN value ~ E'^''*[-=+@\t\r]' THEN '''' || value ELSE value END
$$;

-- cs.csv_unguard(value): value without the ' cs.csv_guard put before it (exactly one, and only
-- where cs.csv_guard puts one). Raises nothing.
CREATE OR REPLACE FUNCTION cs.csv_unguard(value text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN value ~ E'^''+[-=+@\t\r]' THEN substr(value, 2) ELSE value END
$$;

-- cs.id_token_detail_faults(details): what is wrong, in words, with the 2.0.1 details of an id tag
-- in their REST form, a jsonb object holding any of: tokenType (IdTokenEnumType; null: any type
-- matches), groupIdToken (1-36 characters), groupTokenType (IdTokenEnumType), evseIds (positive
-- integers, each once; null: every EVSE), chargingPriority (an integer -9..9), language1, language2
-- (RFC 5646 codes of at most 8 characters: en, de-DE), personalMessage (MessageContentType: format
-- ASCII, HTML, URI or UTF8, content of 1-512 characters, optional language). Any of them may be null.
-- Returns text[] (empty: all good). Raises nothing.
CREATE OR REPLACE FUNCTION cs.id_token_detail_faults(details jsonb)
RETURNS text[]
LANGUAGE plpgsql
IMMUTABLE
AS $$
DECLARE
    token_types constant text[] := ARRAY['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local',
                                         'MacAddress', 'NoAuthorization'];
    formats     constant text[] := ARRAY['ASCII', 'HTML', 'URI', 'UTF8'];
    language    constant text := '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$';
    faults      text[] := ARRAY[]::text[];
    v           jsonb;
    k           text;
BEGIN
    IF jsonb_typeof(details) IS DISTINCT FROM 'object' THEN
        RETURN ARRAY['the id token details must be a JSON object'];
    END IF;
    FOREACH k IN ARRAY ARRAY['tokenType', 'groupTokenType'] LOOP
        v := details->k;
        IF v IS NOT NULL AND v <> 'null' AND (jsonb_typeof(v) <> 'string' OR NOT v #>> '{}' = ANY (token_types)) THEN
            faults := faults || format('%s %s is not one of %s', k, v, array_to_string(token_types, ', '));
        END IF;
    END LOOP;
    v := details->'groupIdToken';
    IF v IS NOT NULL AND v <> 'null' AND (jsonb_typeof(v) <> 'string' OR length(v #>> '{}') NOT BETWEEN 1 AND 36) THEN
        faults := faults || format('groupIdToken %s is not a text of 1 to 36 characters', v);
    END IF;
    v := details->'evseIds';
    IF v IS NOT NULL AND v <> 'null' THEN
        IF jsonb_typeof(v) <> 'array' OR jsonb_array_length(v) = 0
           OR EXISTS (SELECT FROM jsonb_array_elements(v) AS e
                       WHERE jsonb_typeof(e) <> 'number' OR e::text !~ '^[0-9]+$' OR e::numeric < 1) THEN
            faults := faults || format('evseIds %s is not a list of EVSE ids (positive integers; null: every EVSE)', v);
        ELSIF (SELECT count(DISTINCT e::numeric) FROM jsonb_array_elements(v) AS e) < jsonb_array_length(v) THEN
            faults := faults || format('evseIds %s names an EVSE twice', v);
        ELSIF EXISTS (SELECT FROM jsonb_array_elements(v) AS e WHERE e::numeric > 2147483647) THEN
            faults := faults || format('evseIds %s holds a number too large for an EVSE id', v);
        END IF;
    END IF;
    v := details->'chargingPriority';
    IF v IS NOT NULL AND v <> 'null'
       AND (jsonb_typeof(v) <> 'number' OR v::text !~ '^-?[0-9]+$' OR v::numeric NOT BETWEEN -9 AND 9) THEN
        faults := faults || format('chargingPriority %s is not an integer from -9 to 9', v);
    END IF;
    FOREACH k IN ARRAY ARRAY['language1', 'language2'] LOOP
        v := details->k;
        IF v IS NOT NULL AND v <> 'null'
           AND (jsonb_typeof(v) <> 'string' OR length(v #>> '{}') > 8 OR v #>> '{}' !~ language) THEN
            faults := faults || format('%s %s is not a language code (RFC 5646, at most 8 characters: en, de-DE)', k, v);
        END IF;
    END LOOP;
    v := details->'personalMessage';
    IF v IS NOT NULL AND v <> 'null' THEN
        IF jsonb_typeof(v) <> 'object' THEN
            faults := faults || format('personalMessage %s is not an object with format, content and language', v);
        ELSE
            IF jsonb_typeof(v->'format') IS DISTINCT FROM 'string' OR NOT v->>'format' = ANY (formats) THEN
                faults := faults || format('personalMessage format %s is not one of %s',
                                           coalesce((v->'format')::text, 'missing'), array_to_string(formats, ', '));
            END IF;
            IF jsonb_typeof(v->'content') IS DISTINCT FROM 'string' OR length(v->>'content') NOT BETWEEN 1 AND 512 THEN
                faults := faults || format('personalMessage content %s is not a text of 1 to 512 characters',
                                           coalesce(left((v->'content')::text, 40), 'missing'));
            END IF;
            IF v ? 'language' AND v->'language' <> 'null'
               AND (jsonb_typeof(v->'language') <> 'string' OR length(v->>'language') > 8 OR v->>'language' !~ language) THEN
                faults := faults || format('personalMessage language %s is not a language code (RFC 5646, at most 8 characters: en, de-DE)',
                                           v->'language');
            END IF;
            FOR k IN SELECT key FROM jsonb_object_keys(v) AS key WHERE key NOT IN ('format', 'content', 'language') ORDER BY key LOOP
                faults := faults || format('personalMessage has no field %s (its fields are format, content, language)', k);
            END LOOP;
        END IF;
    END IF;
    RETURN faults;
END;
$$;

-- cs.set_id_token_details(id_tag, details): sets the 2.0.1 details that details (REST form, checked
-- by cs.id_token_detail_faults) names on the id tag; those it leaves out keep their values, a null
-- clears one. A personalMessage drops a null language. Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.set_id_token_details(id_tag text, details jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    d jsonb := jsonb_strip_nulls(coalesce(details, '{}'::jsonb));
BEGIN
    IF details IS NULL OR details = '{}'::jsonb THEN
        RETURN;
    END IF;
    UPDATE cs.id_tag AS i
       SET token_type = CASE WHEN details ? 'tokenType' THEN d->>'tokenType' ELSE i.token_type END,
           group_id_token = CASE WHEN details ? 'groupIdToken' THEN d->>'groupIdToken' ELSE i.group_id_token END,
           group_token_type = CASE WHEN details ? 'groupTokenType' THEN d->>'groupTokenType' ELSE i.group_token_type END,
           evse_ids = CASE WHEN details ? 'evseIds'
                           THEN (SELECT array_agg(e::integer ORDER BY o)
                                   FROM jsonb_array_elements_text(d->'evseIds') WITH ORDINALITY AS u (e, o))
                           ELSE i.evse_ids END,
           charging_priority = CASE WHEN details ? 'chargingPriority' THEN (d->>'chargingPriority')::integer
                                    ELSE i.charging_priority END,
           language1 = CASE WHEN details ? 'language1' THEN d->>'language1' ELSE i.language1 END,
           language2 = CASE WHEN details ? 'language2' THEN d->>'language2' ELSE i.language2 END,
           personal_message = CASE WHEN details ? 'personalMessage' THEN d->'personalMessage'
                                   ELSE i.personal_message END,
           updated_at = now()
     WHERE i.id_tag = set_id_token_details.id_tag;
END;
$$;

-- cs.id_tag_details_json(tag): the 2.0.1 details of an id tag in their REST form: {"tokenType",
-- "groupIdToken", "groupTokenType", "evseIds", "chargingPriority", "language1", "language2",
-- "personalMessage"}, each null when not set. tag: a cs.id_tag row as jsonb (to_jsonb). Raises nothing.
CREATE OR REPLACE FUNCTION cs.id_tag_details_json(tag jsonb)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT jsonb_build_object('tokenType', tag->'token_type', 'groupIdToken', tag->'group_id_token',
                              'groupTokenType', tag->'group_token_type', 'evseIds', tag->'evse_ids',
                              'chargingPriority', tag->'charging_priority', 'language1', tag->'language1',
                              'language2', tag->'language2', 'personalMessage', tag->'personal_message')
$$;

-- ocpp.api_id_token(id_tag): one id tag as cs.id_tag_json with its 2.0.1 details
-- (cs.id_tag_details_json). Returns jsonb. Raises OC010 for an unknown id tag.
CREATE OR REPLACE FUNCTION ocpp.api_id_token(id_tag text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN ocpp.api_id_tag(api_id_token.id_tag)
        || (SELECT cs.id_tag_details_json(to_jsonb(i)) FROM cs.id_tag AS i WHERE i.id_tag = api_id_token.id_tag);
END;
$$;

-- ocpp.api_set_id_token(id_tag, status, expiry, parent, details, must_exist): ocpp.api_set_id_tag
-- (status, expiry and parent replaced), then the 2.0.1 details that details names
-- (cs.set_id_token_details: the ones left out keep their values); the tag as ocpp.api_id_token.
-- Returns jsonb. Raises OC010 for an unknown id tag when must_exist, what ocpp.set_id_tag raises,
-- and OC007 'invalid id token details' with DETAIL one line per fault (cs.id_token_detail_faults).
CREATE OR REPLACE FUNCTION ocpp.api_set_id_token(id_tag text, status text DEFAULT 'Accepted',
                                                 expiry timestamptz DEFAULT NULL, parent text DEFAULT NULL,
                                                 details jsonb DEFAULT '{}', must_exist boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    faults text[] := cs.id_token_detail_faults(coalesce(details, '{}'::jsonb));
BEGIN
    IF must_exist AND NOT EXISTS (SELECT FROM cs.id_tag AS i WHERE i.id_tag = api_set_id_token.id_tag) THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown id tag', format('no id tag %s', api_set_id_token.id_tag));
    END IF;
    IF cardinality(faults) > 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id token details', array_to_string(faults, E'\n'));
    END IF;
    PERFORM ocpp.set_id_tag(api_set_id_token.id_tag, coalesce(api_set_id_token.status, 'Accepted'), expiry, parent);
    PERFORM cs.set_id_token_details(api_set_id_token.id_tag, coalesce(details, '{}'::jsonb));
    RETURN ocpp.api_id_token(api_set_id_token.id_tag);
END;
$$;

-- ocpp.api_id_token_page(search, status, lim, off): the id tags cs.find_id_tags finds (same
-- arguments), each with its 2.0.1 details (as ocpp.api_id_token), and how many match in all:
-- {"total", "tags"}. Returns jsonb. Raises what cs.find_id_tags raises.
CREATE OR REPLACE FUNCTION ocpp.api_id_token_page(search text DEFAULT NULL, status text DEFAULT NULL,
                                                  lim integer DEFAULT 100, off integer DEFAULT 0)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN jsonb_build_object(
        'total', (SELECT count(*) FROM cs.find_id_tags(search, api_id_token_page.status, NULL, 0)),
        'tags', (SELECT coalesce(jsonb_agg(cs.id_tag_json(x) || cs.id_tag_details_json(to_jsonb(x))
                                           ORDER BY x.id_tag), '[]'::jsonb)
                   FROM cs.find_id_tags(search, api_id_token_page.status, lim, off) AS x));
END;
$$;
