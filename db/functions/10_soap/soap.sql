-- OCPP 1.5 and 1.6 over SOAP 1.2 with WS-Addressing (docs/soap.md): the XML <-> OCPP-J 1.6 JSON
-- conversion, driven by the WSDL schemas stored as rows in cs.soap_namespace, cs.soap_message,
-- cs.soap_field and cs.soap_value (db/schema/14_soap.sql), and ocpp.parsexml, one call per SOAP
-- station request. Fixed namespaces: SOAP 1.2 http://www.w3.org/2003/05/soap-envelope (prefix s),
-- WS-Addressing http://www.w3.org/2005/08/addressing (prefix a), the OCPP body namespace (prefix o).

-- cs.soap_unescape(t): the text of an xpath() string result, which PostgreSQL returns XML-escaped
-- (&amp; &lt; &gt; &#x0d;). Returns text. Raises nothing.
CREATE OR REPLACE FUNCTION cs.soap_unescape(t text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT replace(replace(replace(replace(replace(replace(t, '&lt;', '<'), '&gt;', '>'), '&quot;', '"'),
                                   '&apos;', ''''), '&#x0d;', E'\r'), '&amp;', '&')
$$;

-- cs.soap_escape(t): t escaped for XML text and attribute values. Returns text. Raises nothing.
CREATE OR REPLACE FUNCTION cs.soap_escape(t text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT replace(replace(replace(replace(replace(t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'),
                   E'\r', '&#x0d;')
$$;

-- cs.soap_string(doc, path, ns): the string value of the XPath path in doc (namespaces ns), null
-- when path selects nothing. Returns text. Raises nothing (path is built by this file).
CREATE OR REPLACE FUNCTION cs.soap_string(doc xml, path text, ns text[])
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN (xpath('count(' || path || ')', doc, ns))[1]::text::integer = 0 THEN NULL
                ELSE cs.soap_unescape((xpath('string(' || path || ')', doc, ns))[1]::text) END
$$;

-- cs.soap_where(path): the XPath path of this file as an element path for error details
-- (meterValuesRequest/meterValue[1]/sampledValue[2]/value). Returns text. Raises nothing.
CREATE OR REPLACE FUNCTION cs.soap_where(path text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT regexp_replace(regexp_replace(path, '^/s:Envelope/s:Body/', ''), '(^|/)o:', '\1', 'g')
$$;

-- cs.soap_scalar_json(val, json_type, where_): the JSON value of the XML text val of a field of
-- json_type (integer: xs:int, number: xs:decimal, boolean, dateTime and string: JSON text).
-- Returns jsonb. Raises OC009 when val is not of the type (where_ names the field).
CREATE OR REPLACE FUNCTION cs.soap_scalar_json(val text, json_type text, where_ text)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
AS $$
DECLARE
    v text := btrim(val, E' \t\r\n');
BEGIN
    CASE json_type
        WHEN 'integer' THEN
            IF v ~ '^[+-]?[0-9]{1,10}$' AND v::bigint BETWEEN -2147483648 AND 2147483647 THEN
                RETURN to_jsonb(v::bigint);
            END IF;
        WHEN 'number' THEN
            IF v ~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$' THEN
                RETURN to_jsonb(v::numeric);
            END IF;
        WHEN 'boolean' THEN
            IF v IN ('true', '1') THEN
                RETURN 'true'::jsonb;
            ELSIF v IN ('false', '0') THEN
                RETURN 'false'::jsonb;
            END IF;
        WHEN 'dateTime' THEN
            IF v ~ '^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$' THEN
                RETURN to_jsonb(v);
            END IF;
        ELSE
            RETURN to_jsonb(val);  -- strings as sent, white space included
    END CASE;
    PERFORM cs.raise_ocpp('OC009', 'value of the wrong type',
                          format('%s: %s is not a %s', where_, coalesce(val, 'null'),
                                 CASE json_type WHEN 'integer' THEN 'xs:int' WHEN 'number' THEN 'xs:decimal'
                                                WHEN 'boolean' THEN 'xs:boolean' ELSE 'xs:dateTime' END));
    RETURN NULL;  -- not reached
END;
$$;

-- cs.soap_scalar_xml(val, json_type, where_): the XML text of the JSON value val of a field of
-- json_type (the inverse of cs.soap_scalar_json, unescaped). Returns text. Raises OC009 when val is
-- not of the type (an integer field given a string or a fraction, a string field given a number...).
CREATE OR REPLACE FUNCTION cs.soap_scalar_xml(val jsonb, json_type text, where_ text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    CASE json_type
        WHEN 'integer' THEN
            IF jsonb_typeof(val) = 'number' AND (val #>> '{}')::numeric = trunc((val #>> '{}')::numeric) THEN
                RETURN trunc((val #>> '{}')::numeric)::text;
            END IF;
        WHEN 'number' THEN
            IF jsonb_typeof(val) = 'number' THEN
                RETURN val #>> '{}';
            END IF;
        WHEN 'boolean' THEN
            IF jsonb_typeof(val) = 'boolean' THEN
                RETURN val #>> '{}';
            END IF;
        ELSE
            IF jsonb_typeof(val) = 'string' THEN
                RETURN val #>> '{}';
            END IF;
    END CASE;
    PERFORM cs.raise_ocpp('OC009', 'value of the wrong type',
                          format('%s: %s is not a JSON %s', where_, val::text, json_type));
    RETURN NULL;  -- not reached
END;
$$;

-- cs.soap_to_json(doc, ns, path, version, service, type_name): the JSON object of the element at
-- XPath path of doc, of complexType type_name of the WSDL (version, service): its fields in schema
-- order under their json_key, repeated ones as arrays, nested types as objects, 1.5 values spelled
-- as 1.6 (cs.soap_value). Elements the type does not know are ignored. Returns jsonb.
-- Raises OC008 for a missing required field or a repeated non-repeating one, OC009 for a value of
-- the wrong type.
CREATE OR REPLACE FUNCTION cs.soap_to_json(doc xml, ns text[], path text, version text, service text,
                                           type_name text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    f    cs.soap_field;
    obj  jsonb := '{}';
    arr  jsonb;
    v    jsonb;
    raw  text;
    sub  text;
    n    integer;
BEGIN
    FOR f IN SELECT * FROM cs.soap_field AS sf
              WHERE sf.version = soap_to_json.version AND sf.service = soap_to_json.service
                AND sf.type_name = soap_to_json.type_name
              ORDER BY sf.seq
    LOOP
        IF f.node = 'element' THEN
            sub := path || '/o:' || f.element;
            n := (xpath('count(' || sub || ')', doc, ns))[1]::text::integer;
        ELSIF f.node = 'attribute' THEN
            sub := path || '/@' || f.element;
            n := (xpath('count(' || sub || ')', doc, ns))[1]::text::integer;
        ELSE
            sub := path;
            n := 1;
        END IF;
        IF n = 0 THEN
            IF f.required THEN
                PERFORM cs.raise_ocpp('OC008', 'required field missing',
                                      format('%s/%s is required', cs.soap_where(path), f.element));
            END IF;
            CONTINUE;
        END IF;
        IF n > 1 AND NOT f.repeated THEN
            PERFORM cs.raise_ocpp('OC008', 'field repeated',
                                  format('%s/%s occurs %s times, at most once allowed',
                                         cs.soap_where(path), f.element, n));
        END IF;
        arr := '[]';
        FOR i IN 1 .. n LOOP
            IF f.node = 'element' THEN
                sub := path || '/o:' || f.element || '[' || i || ']';
            END IF;
            IF f.json_type LIKE 'object:%' THEN
                v := cs.soap_to_json(doc, ns, sub, version, service, substr(f.json_type, 8));
            ELSE
                raw := cs.soap_unescape((xpath('string(' || sub || ')', doc, ns))[1]::text);
                IF version = '1.5' AND f.json_type = 'string' THEN
                    raw := coalesce((SELECT sv.json_value FROM cs.soap_value AS sv
                                      WHERE sv.version = soap_to_json.version AND sv.service = soap_to_json.service
                                        AND sv.type_name = soap_to_json.type_name AND sv.element = f.element
                                        AND sv.xml_value = raw AND sv.direction IN ('both', 'tojson')), raw);
                END IF;
                v := cs.soap_scalar_json(raw, f.json_type, cs.soap_where(sub));
            END IF;
            arr := arr || jsonb_build_array(v);
        END LOOP;
        obj := obj || jsonb_build_object(f.json_key, CASE WHEN f.repeated THEN arr ELSE arr -> 0 END);
    END LOOP;
    RETURN obj;
END;
$$;

-- cs.soap_element_xml(name, obj, version, service, type_name, attrs, where_): the XML text of element
-- name (start tag with the extra attributes attrs, e.g. an xmlns declaration) holding the JSON object
-- obj as complexType type_name of the WSDL (version, service): fields in schema order, arrays as
-- repeated elements, 1.6 values spelled as 1.5 (cs.soap_value). Keys the type does not know are
-- left out. Returns text. Raises OC006 when obj is not an object, OC008 for a missing required field,
-- OC009 for a value of the wrong type (an array for a single field included).
CREATE OR REPLACE FUNCTION cs.soap_element_xml(name text, obj jsonb, version text, service text,
                                               type_name text, attrs text, where_ text)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    f       cs.soap_field;
    v       jsonb;
    item    jsonb;
    items   jsonb;
    txt     text;
    content text := '';
    i       integer;
BEGIN
    IF jsonb_typeof(obj) IS DISTINCT FROM 'object' THEN
        PERFORM cs.raise_ocpp('OC006', 'not a JSON object', format('%s is %s', where_, obj::text));
    END IF;
    FOR f IN SELECT * FROM cs.soap_field AS sf
              WHERE sf.version = soap_element_xml.version AND sf.service = soap_element_xml.service
                AND sf.type_name = soap_element_xml.type_name
              ORDER BY sf.seq
    LOOP
        v := obj -> f.json_key;
        IF v IS NULL OR jsonb_typeof(v) = 'null' OR (f.repeated AND v = '[]') THEN
            IF f.required THEN
                PERFORM cs.raise_ocpp('OC008', 'required field missing',
                                      format('%s/%s is required', where_, f.json_key));
            END IF;
            CONTINUE;
        END IF;
        IF f.repeated THEN
            IF jsonb_typeof(v) <> 'array' THEN
                PERFORM cs.raise_ocpp('OC009', 'value of the wrong type',
                                      format('%s/%s is not an array', where_, f.json_key));
            END IF;
            items := v;
        ELSE
            items := jsonb_build_array(v);
        END IF;
        i := 0;
        FOR item IN SELECT e FROM jsonb_array_elements(items) AS e LOOP
            i := i + 1;
            IF f.json_type LIKE 'object:%' THEN
                content := content || cs.soap_element_xml(f.element, item, version, service,
                                                          substr(f.json_type, 8), '',
                                                          where_ || '/' || f.json_key
                                                          || CASE WHEN f.repeated THEN '[' || i || ']' ELSE '' END);
                CONTINUE;
            END IF;
            txt := cs.soap_scalar_xml(item, f.json_type, where_ || '/' || f.json_key);
            IF version = '1.5' AND f.json_type = 'string' THEN
                txt := coalesce((SELECT sv.xml_value FROM cs.soap_value AS sv
                                  WHERE sv.version = soap_element_xml.version
                                    AND sv.service = soap_element_xml.service
                                    AND sv.type_name = soap_element_xml.type_name AND sv.element = f.element
                                    AND sv.json_value = txt AND sv.direction IN ('both', 'toxml')), txt);
            END IF;
            CASE f.node
                WHEN 'attribute' THEN
                    attrs := attrs || ' ' || f.element || '="' || cs.soap_escape(txt) || '"';
                WHEN 'text' THEN
                    content := content || cs.soap_escape(txt);
                ELSE
                    content := content || '<' || f.element || '>' || cs.soap_escape(txt) || '</' || f.element || '>';
            END CASE;
        END LOOP;
    END LOOP;
    RETURN '<' || name || attrs || '>' || content || '</' || name || '>';
END;
$$;

-- cs.soap_fault_subcode(code): the OCPP fault subcode name of the OC SQLSTATE code (docs/sql-api.md),
-- GenericError for another OC code. Returns text. Raises nothing.
CREATE OR REPLACE FUNCTION cs.soap_fault_subcode(code text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE code WHEN 'OC001' THEN 'NotImplemented' WHEN 'OC002' THEN 'NotSupported'
                     WHEN 'OC003' THEN 'InternalError' WHEN 'OC004' THEN 'ProtocolError'
                     WHEN 'OC005' THEN 'SecurityError' WHEN 'OC006' THEN 'FormationViolation'
                     WHEN 'OC007' THEN 'PropertyConstraintViolation'
                     WHEN 'OC010' THEN 'PropertyConstraintViolation'
                     WHEN 'OC008' THEN 'OccurenceConstraintViolation'
                     WHEN 'OC009' THEN 'TypeConstraintViolation' ELSE 'GenericError' END
$$;

-- cs.soap_fault(code, reason, version, relates_to, to_): a SOAP 1.2 Fault envelope for the OC
-- SQLSTATE code: Code Receiver for InternalError (OC003) and GenericError (OC000 and unknown codes),
-- Sender otherwise; Subcode the OCPP name (cs.soap_fault_subcode) in the CentralSystemService
-- namespace of version (1.6 when null); Reason reason. WS-Addressing headers: the fault Action, a
-- fresh MessageID, RelatesTo relates_to and To to_ when given. Returns xml. Raises nothing.
CREATE OR REPLACE FUNCTION cs.soap_fault(code text, reason text, version text, relates_to text, to_ text)
RETURNS xml
LANGUAGE plpgsql
AS $$
DECLARE
    subcode text := cs.soap_fault_subcode(code);
    ns      text := coalesce((SELECT n.namespace FROM cs.soap_namespace AS n
                               WHERE n.version = soap_fault.version AND n.service = 'cs'),
                             'urn://Ocpp/Cs/2015/10/');
BEGIN
    RETURN ('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"'
            || ' xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>'
            || '<a:Action s:mustUnderstand="true">http://www.w3.org/2005/08/addressing/soap/fault</a:Action>'
            || '<a:MessageID>urn:uuid:' || gen_random_uuid() || '</a:MessageID>'
            || coalesce('<a:RelatesTo>' || cs.soap_escape(relates_to) || '</a:RelatesTo>', '')
            || coalesce('<a:To>' || cs.soap_escape(to_) || '</a:To>', '')
            || '</s:Header><s:Body><s:Fault><s:Code><s:Value>s:'
            || CASE WHEN subcode IN ('InternalError', 'GenericError') THEN 'Receiver' ELSE 'Sender' END
            || '</s:Value><s:Subcode><s:Value xmlns:o="' || ns || '">o:' || subcode
            || '</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">'
            || cs.soap_escape(coalesce(reason, subcode))
            || '</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>')::xml;
END;
$$;

-- ocpp.soaptojson(envelope): a SOAP 1.2 envelope of OCPP 1.5 or 1.6, request or response, either
-- service, as JSON: {"identity" (chargeBoxIdentity header), "from" (wsa:From/wsa:Address), "to",
-- "messageId", "relatesTo", "action" (the operation: BootNotification), "kind" request|response,
-- "version" 1.5|1.6, "service" cs|cp (the body's namespace: CentralSystemService or
-- ChargePointService), "payload" (the body in the OCPP-J 1.6 form: docs/soap.md)}; headers that are
-- absent are null. A Fault body (a station's answer to a command) gives {"kind": "fault", "fault":
-- {"code", "subcode", "reason"}} with the headers, action and payload null. 1.5 bodies are mapped to
-- 1.6 keys and values (cs.soap_field.json_key, cs.soap_value; StopTransaction's transactionData
-- flattened to one array of meter values).
-- Raises OC006 when envelope is not an XML document, not a SOAP 1.2 Envelope, or has no Body or not
-- exactly one element in it; OC004 for a body element in an unknown namespace; OC001 for an unknown
-- operation (body element); OC008 for a missing chargeBoxIdentity on a station request (service cs),
-- and for a missing required or repeated single field; OC009 for a value of the wrong type.
CREATE OR REPLACE FUNCTION ocpp.soaptojson(envelope xml)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    soap_env  constant text := 'http://www.w3.org/2003/05/soap-envelope';
    ns        text[] := ARRAY[ARRAY['s', 'http://www.w3.org/2003/05/soap-envelope'],
                              ARRAY['a', 'http://www.w3.org/2005/08/addressing']];
    hdr       constant text := '/s:Envelope/s:Header/';
    root_ns   text;
    root_name text;
    body_ns   text;
    body_name text;
    nsr       cs.soap_namespace;
    msg       cs.soap_message;
    identity  text;
    payload   jsonb;
    result    jsonb;
BEGIN
    IF envelope IS NULL OR NOT envelope IS DOCUMENT THEN
        PERFORM cs.raise_ocpp('OC006', 'not a SOAP envelope', 'the message is not an XML document');
    END IF;
    root_ns := (xpath('namespace-uri(/*)', envelope))[1]::text;
    root_name := (xpath('local-name(/*)', envelope))[1]::text;
    IF root_name <> 'Envelope' OR root_ns <> soap_env THEN
        PERFORM cs.raise_ocpp('OC006', 'not a SOAP 1.2 envelope',
                              format('root element {%s}%s', root_ns, root_name));
    END IF;
    IF (xpath('count(/s:Envelope/s:Body)', envelope, ns))[1]::text::integer <> 1 THEN
        PERFORM cs.raise_ocpp('OC006', 'no SOAP Body', 'the envelope must have one Body');
    END IF;
    IF (xpath('count(/s:Envelope/s:Body/*)', envelope, ns))[1]::text::integer <> 1 THEN
        PERFORM cs.raise_ocpp('OC006', 'empty SOAP Body', 'the Body must hold exactly one element');
    END IF;
    body_ns := (xpath('namespace-uri(/s:Envelope/s:Body/*)', envelope, ns))[1]::text;
    body_name := (xpath('local-name(/s:Envelope/s:Body/*)', envelope, ns))[1]::text;

    result := jsonb_build_object(
        'identity', cs.soap_string(envelope, hdr || '*[local-name()="chargeBoxIdentity"]', ns),
        'from', cs.soap_string(envelope, hdr || 'a:From/a:Address', ns),
        'to', cs.soap_string(envelope, hdr || 'a:To', ns),
        'messageId', cs.soap_string(envelope, hdr || 'a:MessageID', ns),
        'relatesTo', cs.soap_string(envelope, hdr || 'a:RelatesTo', ns));

    IF body_ns = soap_env AND body_name = 'Fault' THEN
        RETURN result || jsonb_build_object(
            'action', NULL, 'kind', 'fault', 'version', NULL, 'service', NULL, 'payload', NULL,
            'fault', jsonb_build_object(
                'code', regexp_replace(cs.soap_string(envelope, '/s:Envelope/s:Body/s:Fault/s:Code/s:Value', ns),
                                       '^.*:', ''),
                'subcode', regexp_replace(cs.soap_string(envelope,
                                              '/s:Envelope/s:Body/s:Fault/s:Code/s:Subcode/s:Value', ns),
                                          '^.*:', ''),
                'reason', cs.soap_string(envelope, '/s:Envelope/s:Body/s:Fault/s:Reason/s:Text[1]', ns)));
    END IF;

    SELECT * INTO nsr FROM cs.soap_namespace AS n WHERE n.namespace = body_ns;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC004', 'unknown namespace',
                              format('body element {%s}%s is in no OCPP 1.5 or 1.6 namespace', body_ns, body_name));
    END IF;
    SELECT * INTO msg FROM cs.soap_message AS m
     WHERE m.version = nsr.version AND m.service = nsr.service AND m.element = body_name;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC001', 'unknown operation',
                              format('no operation of OCPP %s has the body element %s', nsr.version, body_name));
    END IF;
    identity := result ->> 'identity';
    IF nsr.service = 'cs' AND msg.kind = 'request' AND coalesce(btrim(identity), '') = '' THEN
        PERFORM cs.raise_ocpp('OC008', 'chargeBoxIdentity missing',
                              format('%s has no chargeBoxIdentity header', msg.action));
    END IF;

    ns := ns || ARRAY[ARRAY['o', body_ns]];
    payload := cs.soap_to_json(envelope, ns, '/s:Envelope/s:Body/o:' || body_name, msg.version, msg.service,
                               msg.type_name);
    -- 1.5 StopTransaction: transactionData is a list of TransactionData each holding meter values;
    -- 1.6 has one list of meter values
    IF msg.version = '1.5' AND msg.action = 'StopTransaction' AND msg.kind = 'request'
       AND payload ? 'transactionData' THEN
        payload := jsonb_set(payload, '{transactionData}',
                             coalesce((SELECT jsonb_agg(mv ORDER BY t.o, m.o)
                                         FROM jsonb_array_elements(payload -> 'transactionData')
                                              WITH ORDINALITY AS t (td, o),
                                              jsonb_array_elements(coalesce(t.td -> 'values', '[]'))
                                              WITH ORDINALITY AS m (mv, o)), '[]'));
    END IF;
    RETURN result || jsonb_build_object('action', msg.action, 'kind', msg.kind, 'version', msg.version,
                                        'service', msg.service, 'payload', payload);
END;
$$;

-- ocpp.jsontosoap(message): the SOAP 1.2 envelope of message {"action", "kind" request|response
-- (default request), "version" 1.5|1.6, "payload" (OCPP-J 1.6 form), "identity", "messageId",
-- "relatesTo", "to", "from", "service" cs|cp}. service defaults to cp for a request (a command to a
-- station) and cs for a response (our answer to a station). Headers: chargeBoxIdentity (requests,
-- from "identity"), wsa:Action '/' || action (|| 'Response' for a response), wsa:MessageID
-- ("messageId", or a fresh urn:uuid), wsa:RelatesTo ("relatesTo"), wsa:From/wsa:Address ("from"),
-- wsa:To ("to"). The body element is the WSDL's (bootNotificationResponse) in the service's namespace
-- of the version, its fields in schema order; payload keys the WSDL does not have are left out
-- (1.6-only fields to a 1.5 station). Returns xml.
-- Raises OC006 when message or payload is not a JSON object or kind is not request/response, OC004
-- for an unknown version or service, OC001 for an action that is not an operation of the service in
-- that version, OC008 for a request without identity and for a missing required field, OC009 for a
-- value of the wrong type.
CREATE OR REPLACE FUNCTION ocpp.jsontosoap(message jsonb)
RETURNS xml
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    knd     text := coalesce(message ->> 'kind', 'request');
    svc     text;
    nsr     cs.soap_namespace;
    msg     cs.soap_message;
    payload jsonb := message -> 'payload';
    head    text;
    body    text;
BEGIN
    IF jsonb_typeof(message) IS DISTINCT FROM 'object' THEN
        PERFORM cs.raise_ocpp('OC006', 'message is not a JSON object', NULL);
    END IF;
    IF knd NOT IN ('request', 'response') THEN
        PERFORM cs.raise_ocpp('OC006', 'invalid kind', format('kind %s is not request or response', knd));
    END IF;
    svc := coalesce(message ->> 'service', CASE knd WHEN 'request' THEN 'cp' ELSE 'cs' END);
    SELECT * INTO nsr FROM cs.soap_namespace AS n WHERE n.version = message ->> 'version' AND n.service = svc;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC004', 'unknown SOAP version or service',
                              format('version %s, service %s', coalesce(message ->> 'version', 'null'), svc));
    END IF;
    SELECT * INTO msg FROM cs.soap_message AS m
     WHERE m.version = nsr.version AND m.service = nsr.service AND m.action = message ->> 'action'
       AND m.kind = knd;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC001', 'unknown operation',
                              format('%s is not an operation of the OCPP %s %s', coalesce(message ->> 'action', 'null'),
                                     nsr.version, CASE svc WHEN 'cs' THEN 'CentralSystemService'
                                                               ELSE 'ChargePointService' END));
    END IF;
    IF jsonb_typeof(payload) IS DISTINCT FROM 'object' THEN
        PERFORM cs.raise_ocpp('OC006', 'payload is not a JSON object', msg.action);
    END IF;
    IF knd = 'request' AND coalesce(message ->> 'identity', '') = '' THEN
        PERFORM cs.raise_ocpp('OC008', 'chargeBoxIdentity missing', format('%s request without identity', msg.action));
    END IF;
    -- 1.5 StopTransaction: the 1.6 list of meter values is one TransactionData
    IF msg.version = '1.5' AND msg.action = 'StopTransaction' AND knd = 'request'
       AND jsonb_typeof(payload -> 'transactionData') = 'array' AND payload -> 'transactionData' <> '[]' THEN
        payload := jsonb_set(payload, '{transactionData}',
                             jsonb_build_array(jsonb_build_object('values', payload -> 'transactionData')));
    END IF;

    body := cs.soap_element_xml(msg.element, payload, msg.version, msg.service, msg.type_name,
                                ' xmlns="' || nsr.namespace || '"', msg.element);
    head := CASE WHEN knd = 'request'
                 THEN '<chargeBoxIdentity xmlns="' || nsr.namespace || '">'
                      || cs.soap_escape(message ->> 'identity') || '</chargeBoxIdentity>'
                 ELSE '' END
            || '<a:Action s:mustUnderstand="true">/' || msg.action
            || CASE WHEN knd = 'response' THEN 'Response' ELSE '' END || '</a:Action>'
            || '<a:MessageID>'
            || cs.soap_escape(coalesce(message ->> 'messageId', 'urn:uuid:' || gen_random_uuid())) || '</a:MessageID>'
            || coalesce('<a:RelatesTo>' || cs.soap_escape(message ->> 'relatesTo') || '</a:RelatesTo>', '')
            || coalesce('<a:From><a:Address>' || cs.soap_escape(message ->> 'from') || '</a:Address></a:From>', '')
            || coalesce('<a:To s:mustUnderstand="true">' || cs.soap_escape(message ->> 'to') || '</a:To>', '');
    RETURN ('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"'
            || ' xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>' || head
            || '</s:Header><s:Body>' || body || '</s:Body></s:Envelope>')::xml;
END;
$$;

-- ocpp.parsexml(request, account): one SOAP station request, whole: ocpp.soaptojson, then
-- ocpp.parse(identity, messageId, action, payload, account, '1.6') (the 1.6 rules answer the 1.5 and
-- 1.6 JSON forms alike), then the station's cs.station.version becomes the SOAP version (1.5 or
-- 1.6) and cs.station.soap_from its wsa:From address (kept when the request has none), and the
-- answer is built by ocpp.jsontosoap (RelatesTo the request's MessageID, To its From address).
-- Returns {"identity", "from", "action", "version", "messageId", "response": the envelope as text}.
-- An OC error of the conversion or of the rules (the request not being a CentralSystemService
-- request is OC004) is not raised: it rolls back what the request did and is answered by a SOAP 1.2
-- Fault (cs.soap_fault), returned as "response" with "fault": {"code": Sender|Receiver, "subcode",
-- "reason", "sqlstate"}; identity, from, action and version are those read from the request, or null.
-- The EXCEPTION block costs a subtransaction per request: SOAP is not the hot path (ocpp.parse is).
-- Raises only what is not an OC error (an internal failure), and the OC errors of building the
-- answer (a reply of the rules that does not fit the WSDL: a bug, not the station's fault).
CREATE OR REPLACE FUNCTION ocpp.parsexml(request xml, account text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    j       jsonb;
    reply   jsonb;
    code    text;
    reason  text;
    detail  text;
    subcode text;
    hdr     jsonb := '{}';
BEGIN
    BEGIN
        j := ocpp.soaptojson(request);
        hdr := j;
        IF j ->> 'service' IS DISTINCT FROM 'cs' OR j ->> 'kind' IS DISTINCT FROM 'request' THEN
            PERFORM cs.raise_ocpp('OC004', 'not a station request',
                                  format('%s %s is not a CentralSystemService request',
                                         coalesce(j ->> 'action', 'Fault'), j ->> 'kind'));
        END IF;
        reply := ocpp.parse(j ->> 'identity', j ->> 'messageId', j ->> 'action', j -> 'payload',
                            parsexml.account, '1.6');
        UPDATE cs.station AS s
           SET version = j ->> 'version', soap_from = coalesce(j ->> 'from', s.soap_from)
         WHERE s.identity = j ->> 'identity';
    EXCEPTION WHEN SQLSTATE 'OC000' THEN  -- the class: every OC code
        GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, reason = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    END;

    IF code IS NULL THEN
        RETURN jsonb_build_object(
            'identity', j ->> 'identity', 'from', j ->> 'from', 'action', j ->> 'action',
            'version', j ->> 'version', 'messageId', j ->> 'messageId',
            'response', ocpp.jsontosoap(jsonb_build_object(
                'action', j ->> 'action', 'kind', 'response', 'service', 'cs', 'version', j ->> 'version',
                'payload', reply, 'relatesTo', j ->> 'messageId', 'to', j ->> 'from'))::text);
    END IF;

    -- the fault: headers as far as the request could be read
    IF hdr = '{}' AND request IS DOCUMENT THEN
        hdr := jsonb_build_object(
            'messageId', cs.soap_string(request, '/*/*[local-name()="Header"]/*[local-name()="MessageID"]', '{}'),
            'from', cs.soap_string(request, '/*/*[local-name()="Header"]/*[local-name()="From"]/*[local-name()="Address"]',
                                   '{}'),
            'identity', cs.soap_string(request, '/*/*[local-name()="Header"]/*[local-name()="chargeBoxIdentity"]',
                                       '{}'));
    END IF;
    subcode := cs.soap_fault_subcode(code);
    reason := reason || coalesce(': ' || detail, '');
    RETURN jsonb_build_object(
        'identity', hdr ->> 'identity', 'from', hdr ->> 'from', 'action', hdr ->> 'action',
        'version', hdr ->> 'version', 'messageId', hdr ->> 'messageId',
        'response', cs.soap_fault(code, reason, hdr ->> 'version', hdr ->> 'messageId', hdr ->> 'from')::text,
        'fault', jsonb_build_object(
            'code', CASE WHEN subcode IN ('InternalError', 'GenericError') THEN 'Receiver' ELSE 'Sender' END,
            'subcode', subcode, 'reason', reason, 'sqlstate', code));
END;
$$;
