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

-- ocpp.api_find_id_tags(search, status, lim, off): the id tags whose idTag or parentIdTag holds
-- search (case insensitive; null or '': any) and whose status is status (null or '': any), in
-- idTag order, lim of them (null: all) after skipping off, as cs.id_tag_json. Returns a jsonb
-- array. Raises OC007 for a status other than Accepted, Blocked, Expired, Invalid, or a negative
-- lim or off.
CREATE OR REPLACE FUNCTION ocpp.api_find_id_tags(search text DEFAULT NULL, status text DEFAULT NULL,
                                                 lim integer DEFAULT 100, off integer DEFAULT 0)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_paging(lim, off, NULL, NULL);
    IF api_find_id_tags.status <> '' AND api_find_id_tags.status NOT IN ('Accepted', 'Blocked', 'Expired', 'Invalid') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id tag status',
                              format('status %s is not Accepted, Blocked, Expired or Invalid',
                                     api_find_id_tags.status));
    END IF;
    RETURN (SELECT coalesce(jsonb_agg(cs.id_tag_json(x) ORDER BY x.id_tag), '[]'::jsonb)
              FROM (SELECT * FROM cs.id_tag AS i
                     WHERE (coalesce(search, '') = ''
                            OR strpos(lower(i.id_tag), lower(search)) > 0
                            OR strpos(lower(i.parent_id_tag), lower(search)) > 0)
                       AND (coalesce(api_find_id_tags.status, '') = '' OR i.status = api_find_id_tags.status)
                     ORDER BY i.id_tag LIMIT lim OFFSET coalesce(off, 0)) AS x);
END;
$$;

-- ocpp.export_id_tags(): every id tag as CSV text: the header idTag,status,expiryDate,parentIdTag,
-- then one line per tag in idTag order (expiryDate as OCPP time, empty when none), each line ended
-- by a line feed; what ocpp.import_id_tags reads. Returns text. Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.export_id_tags()
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN 'idTag,status,expiryDate,parentIdTag' || E'\n'
        || coalesce((SELECT string_agg(concat_ws(',', cs.csv_field(i.id_tag), cs.csv_field(i.status),
                                                 cs.csv_field(cs.ocpp_time(i.expiry_date)),
                                                 cs.csv_field(i.parent_id_tag)) || E'\n', '' ORDER BY i.id_tag)
                       FROM cs.id_tag AS i), '');
END;
$$;

-- ocpp.import_id_tags(csv): adds or replaces (ocpp.set_id_tag; 2.0.1 details kept) the id tags of a
-- CSV text: a header naming idTag and any of status, expiryDate, parentIdTag (in any order), then
-- one tag a line; an empty status is Accepted, an empty expiryDate or parentIdTag none; blank lines
-- are skipped; at most 10000 tags. All or nothing: nothing changes unless every line is good.
-- Returns {"imported", "added", "changed"} (counts of tags). Raises OC007 'invalid id tag CSV' with
-- DETAIL one line per fault, "line N: ..." (at most 100, then how many more), for a missing or bad
-- header, a line that is not CSV or has another number of fields than the header, a bad idTag,
-- status, expiryDate or parentIdTag, an idTag twice in the file, or more than 10000 tags.
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
        IF header[col] <> ALL (columns) THEN
            faults := faults || format('line %s: unknown column "%s" (the columns are %s)', n, header[col],
                                       array_to_string(columns, ','));
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
        fields := cs.csv_fields(lines[n]);
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
        END IF;
        IF cardinality(faults) > before THEN
            nbad := nbad + 1;
        ELSE
            tags := tags || tag;
            statuses := statuses || tag_status;
            expiries := expiries || expires;
            parents := parents || parent;
            line_numbers := line_numbers || n;
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
    END LOOP;
    RETURN jsonb_build_object('imported', cardinality(tags), 'added', added,
                              'changed', cardinality(tags) - added);
END;
$$;
