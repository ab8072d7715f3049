-- The cost of a transaction (docs/tariffs.md, "Cost"): computed from the stored meter values and
-- times under the transaction's tariff, stored in cs.transaction_cost, and the hooks that the
-- transaction handlers call (one line each): 1.6 StopTransaction and MeterValues, 2.0.1 / 2.1
-- TransactionEvent.

-- cs.transaction_cost_compute(tx, tariff_id): the cost of transaction tx under the tariff, from what
-- is stored: the energy register readings (meter_start at the start, every
-- Energy.Active.Import.Register of the transaction without phase in Wh / kWh / MWh, meter_stop at the
-- stop), each rise between two readings split over the price periods in proportion to time (a fall
-- counts as 0); the time price for the time from the start to the stop, or, while it runs, to the last
-- thing heard of it (its last event or reading: no wall clock, so a recompute gives the same); the
-- session fee; VAT on their sum. Times before the start count as the start; a transaction is priced
-- for its first 366 days at most. Amounts rounded to 2 decimals, total = energy + time + fee + vat.
-- Returns the cost as {"tariff_id", "currency", "energy_wh", "energy", "time", "fee", "vat", "total",
-- "final"} (cs.transaction_cost's columns; not stored), null for an unknown tariff. Raises nothing.
-- (jsonb and record, not cs.transaction_cost / cs.tariff row types: the functions are deployed after
-- every revision's upgrade, also one that stops before the revision that made those tables.)
CREATE OR REPLACE FUNCTION cs.transaction_cost_compute(tx cs.transaction, tariff_id text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    t        record;   -- cs.tariff
    end_at   timestamptz;
    wh       numeric;
    e_cost   numeric;
    t_cost   numeric;
    e_amount numeric;
    t_amount numeric;
    f_amount numeric;
    v_amount numeric;
BEGIN
    SELECT * INTO t FROM cs.tariff AS x WHERE x.id = transaction_cost_compute.tariff_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    end_at := coalesce(tx.stopped_at,
                       greatest(tx.last_event_at,
                                (SELECT max(m.sampled_at) FROM cs.meter_value AS m WHERE m.transaction_id = tx.id)),
                       tx.started_at);
    end_at := least(greatest(end_at, tx.started_at), tx.started_at + interval '366 days');

    WITH segments AS (
        SELECT * FROM cs.tariff_segments(t.id, tx.started_at, end_at)),
    readings AS (
        SELECT tx.started_at AS at, tx.meter_start::numeric AS w, 0 AS o
         WHERE tx.meter_start IS NOT NULL
        UNION ALL
        SELECT least(greatest(m.sampled_at, tx.started_at), end_at),
               m.numeric_value * CASE m.unit WHEN 'kWh' THEN 1000 WHEN 'MWh' THEN 1000000 ELSE 1 END, 1
          FROM cs.meter_value AS m
         WHERE m.transaction_id = tx.id
           AND m.measurand = 'Energy.Active.Import.Register'
           AND m.phase IS NULL AND m.unit IN ('Wh', 'kWh', 'MWh') AND abs(m.numeric_value) < 1e15
        UNION ALL
        SELECT end_at, tx.meter_stop::numeric, 2
         WHERE tx.meter_stop IS NOT NULL AND tx.stopped_at IS NOT NULL),
    rises AS (
        SELECT r.at AS t1, lead(r.at) OVER w AS t2, greatest(lead(r.w) OVER w - r.w, 0) AS dw
          FROM readings AS r
        WINDOW w AS (ORDER BY r.at, r.o)),
    priced AS (
        -- a rise over a time span: split over the segments it overlaps
        SELECT x.dw * extract(epoch FROM least(s.ends_at, x.t2) - greatest(s.starts_at, x.t1))
                    / extract(epoch FROM x.t2 - x.t1) AS wh,
               s.energy_price AS price
          FROM rises AS x
          JOIN segments AS s ON s.starts_at < x.t2 AND s.ends_at > x.t1
         WHERE x.t2 > x.t1 AND x.dw > 0
        UNION ALL
        -- a rise at one instant: the price of that instant
        SELECT x.dw, p.energy_price
          FROM rises AS x
         CROSS JOIN LATERAL cs.tariff_price_at(t.id, x.t1) AS p
         WHERE x.t2 = x.t1 AND x.dw > 0)
    SELECT coalesce(sum(p.wh), 0), coalesce(sum(p.wh * p.price) / 1000, 0) INTO wh, e_cost
      FROM priced AS p;

    SELECT coalesce(sum(extract(epoch FROM s.ends_at - s.starts_at) / 3600 * s.time_price), 0) INTO t_cost
      FROM cs.tariff_segments(t.id, tx.started_at, end_at) AS s;

    e_amount := round(e_cost, 2);
    t_amount := round(t_cost, 2);
    f_amount := round(t.session_fee, 2);
    v_amount := round((e_amount + t_amount + f_amount) * t.vat_percent / 100, 2);
    RETURN jsonb_build_object('tariff_id', t.id, 'currency', t.currency, 'energy_wh', round(wh),
                              'energy', e_amount, 'time', t_amount, 'fee', f_amount, 'vat', v_amount,
                              'total', e_amount + t_amount + f_amount + v_amount, 'final', tx.stopped_at IS NOT NULL);
END;
$$;

-- cs.transaction_cost_store(transaction_id, tariff_id): computes the transaction's cost and stores it
-- in cs.transaction_cost (cost_updated_at kept). The tariff is tariff_id when given (2.1
-- ChangeTransactionTariff), else the one stored for it before while it exists, else cs.tariff_for (its
-- station, EVSE and start token). Returns the stored row as jsonb (to_jsonb of the cs.transaction_cost
-- row); null for an unknown transaction or when no tariff applies (nothing stored). Raises nothing.
CREATE OR REPLACE FUNCTION cs.transaction_cost_store(transaction_id integer, tariff_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    tx     cs.transaction;
    tariff text;
    cost   jsonb;
    stored jsonb;
BEGIN
    SELECT * INTO tx FROM cs.transaction AS x WHERE x.id = transaction_cost_store.transaction_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT c.tariff_id INTO tariff FROM cs.transaction_cost AS c WHERE c.transaction_id = tx.id;
    tariff := coalesce(transaction_cost_store.tariff_id, tariff, cs.tariff_for(tx.station_id, tx.evse_id, tx.id_tag));
    cost := cs.transaction_cost_compute(tx, tariff);
    IF cost IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO cs.transaction_cost AS c (transaction_id, tariff_id, currency, energy_wh, energy, time, fee, vat,
                                          total, final, computed_at)
    VALUES (tx.id, cost->>'tariff_id', cost->>'currency', (cost->>'energy_wh')::bigint, (cost->>'energy')::numeric,
            (cost->>'time')::numeric, (cost->>'fee')::numeric, (cost->>'vat')::numeric, (cost->>'total')::numeric,
            (cost->>'final')::boolean, now())
    ON CONFLICT ON CONSTRAINT transaction_cost_pkey DO UPDATE
       SET tariff_id = excluded.tariff_id, currency = excluded.currency, energy_wh = excluded.energy_wh,
           energy = excluded.energy, time = excluded.time, fee = excluded.fee, vat = excluded.vat,
           total = excluded.total, final = excluded.final, computed_at = excluded.computed_at
    RETURNING to_jsonb(c) INTO stored;
    RETURN stored;
END;
$$;

-- cs.transaction_cost_json(transaction_id): the stored cost of a transaction as the API shows it
-- ("cost" of ocpp.transactionlist): {"total", "currency", "energy", "time", "fee", "vat" (amounts,
-- total with VAT, the others without), "energyWh", "tariffId", "final", "computedAt"}. Returns null
-- when none is stored. Raises nothing.
CREATE OR REPLACE FUNCTION cs.transaction_cost_json(transaction_id integer)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object('total', c.total, 'currency', c.currency, 'energy', c.energy, 'time', c.time,
                              'fee', c.fee, 'vat', c.vat, 'energyWh', c.energy_wh, 'tariffId', c.tariff_id,
                              'final', c.final, 'computedAt', cs.ocpp_time(c.computed_at))
      FROM cs.transaction_cost AS c
     WHERE c.transaction_id = transaction_cost_json.transaction_id);
END;
$$;

-- ocpp.transaction_cost(id): recomputes the cost of transaction id (cs.transaction.id) from its
-- stored meter values and times (cs.transaction_cost_compute; after a tariff's prices or a meter value
-- changed) and stores it. Returns cs.transaction_cost_json, null when no tariff applies. Raises OC010
-- for an unknown transaction.
CREATE OR REPLACE FUNCTION ocpp.transaction_cost(id bigint)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM FROM cs.transaction AS t WHERE t.id = transaction_cost.id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown transaction', format('no transaction %s', transaction_cost.id));
    END IF;
    PERFORM cs.transaction_cost_store(transaction_cost.id::integer);
    RETURN cs.transaction_cost_json(transaction_cost.id::integer);
END;
$$;

-- Hooks of the transaction handlers ----------------------------------------------------------------

-- cs.tariff_transaction_stopped(tx): 1.6 StopTransaction stopped tx: stores its final cost; when a
-- tariff applies, setting tariff.california_pricing is on and the station reported configuration key
-- CustomDisplayCostAndPrice true (GetConfiguration), queues the California Pricing FinalCost message
-- (DataTransfer vendorId org.openchargealliance.costmsg, messageId FinalCost, data the JSON text
-- {"transactionId", "cost", "priceText"}). Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.tariff_transaction_stopped(tx cs.transaction)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    cost     jsonb;
    identity text;
BEGIN
    cost := cs.transaction_cost_store(tx.id);
    IF cost IS NULL OR NOT (cs.setting('tariff.california_pricing'))::boolean THEN
        RETURN;
    END IF;
    SELECT s.identity INTO identity
      FROM cs.station AS s
      JOIN cs.configuration_key AS k ON k.station_id = s.id
     WHERE s.id = tx.station_id AND k.key = 'CustomDisplayCostAndPrice' AND lower(k.value) = 'true';
    IF FOUND THEN
        PERFORM ocpp.send(identity, 'DataTransfer', jsonb_build_object(
            'vendorId', 'org.openchargealliance.costmsg', 'messageId', 'FinalCost',
            'data', jsonb_build_object(
                'transactionId', tx.id, 'cost', cost->'total',
                'priceText', format('%s %s, %s kWh', cost->>'total', cost->>'currency',
                                    round((cost->>'energy_wh')::numeric / 1000, 3)))::text));
    END IF;
END;
$$;

-- cs.tariff_meter_values(station_id, transaction_id): 1.6 MeterValues of a running transaction of the
-- station: its running cost is stored again (when a tariff applies); when setting
-- tariff.cost_updated_interval (seconds) is above 0, the last running cost sent for it (or, before
-- the first, the transaction's creation) is at least that long ago, setting tariff.california_pricing
-- is on and the station reported CustomDisplayCostAndPrice true, queues the California Pricing
-- RunningCost message (cs.tariff_running_cost_data). The same no-timer rule as 2.0.1 CostUpdated: a
-- station that sends no MeterValues gets no RunningCost. Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.tariff_meter_values(station_id integer, transaction_id integer)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    tx       cs.transaction;
    cost     jsonb;
    identity text;
    period   numeric;
BEGIN
    IF tariff_meter_values.transaction_id IS NULL THEN  -- meter values outside a transaction cost nothing
        RETURN;
    END IF;
    SELECT * INTO tx FROM cs.transaction AS t
     WHERE t.id = tariff_meter_values.transaction_id AND t.station_id = tariff_meter_values.station_id
       AND t.stopped_at IS NULL;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    cost := cs.transaction_cost_store(tx.id);
    period := (cs.setting('tariff.cost_updated_interval'))::numeric;
    IF cost IS NULL OR NOT period > 0 OR NOT (cs.setting('tariff.california_pricing'))::boolean
       OR coalesce((cost->>'cost_updated_at')::timestamptz, tx.created_at) > now() - make_interval(secs => period) THEN
        RETURN;
    END IF;
    SELECT s.identity INTO identity
      FROM cs.station AS s
      JOIN cs.configuration_key AS k ON k.station_id = s.id
     WHERE s.id = tx.station_id AND k.key = 'CustomDisplayCostAndPrice' AND lower(k.value) = 'true';
    IF FOUND THEN
        PERFORM ocpp.send(identity, 'DataTransfer', jsonb_build_object(
            'vendorId', 'org.openchargealliance.costmsg', 'messageId', 'RunningCost',
            'data', cs.tariff_running_cost_data(tx, cost, now())::text));
        UPDATE cs.transaction_cost AS c SET cost_updated_at = now() WHERE c.transaction_id = tx.id;
    END IF;
END;
$$;

-- cs.tariff_running_cost_data(tx, cost, at): the data of a California Pricing RunningCost message
-- (OCA "OCPP & California Pricing Requirements", OCPP 1.6): {"transactionId", "timestamp" (at),
-- "meterValue" (the energy register in Wh: the last reading, else meterStart), "cost" (the running
-- total with VAT), "state" ("Charging": ocpp-cs does not price idle time), "chargingPrice"
-- {"kWhPrice", "hourPrice", "flatFee"} (the prices at at, VAT included), "nextPeriod" {"atTime",
-- "chargingPrice"} (the next price change within a day, when there is one)}. cost is a stored
-- cs.transaction_cost row as jsonb (cs.transaction_cost_store). Returns jsonb. Raises nothing.
CREATE OR REPLACE FUNCTION cs.tariff_running_cost_data(tx cs.transaction, cost jsonb, at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    t     record;   -- cs.tariff
    vat   numeric;
    meter numeric;
    now_p record;
    next  record;
BEGIN
    SELECT * INTO t FROM cs.tariff AS x WHERE x.id = cost->>'tariff_id';
    vat := 1 + coalesce(t.vat_percent, 0) / 100;
    SELECT m.numeric_value * CASE m.unit WHEN 'kWh' THEN 1000 WHEN 'MWh' THEN 1000000 ELSE 1 END INTO meter
      FROM cs.meter_value AS m
     WHERE m.transaction_id = tx.id AND m.measurand = 'Energy.Active.Import.Register'
       AND m.phase IS NULL AND m.unit IN ('Wh', 'kWh', 'MWh') AND abs(m.numeric_value) < 1e15
     ORDER BY m.sampled_at DESC, m.id DESC
     LIMIT 1;
    SELECT * INTO now_p FROM cs.tariff_price_at(t.id, at);
    SELECT s.starts_at, s.energy_price, s.time_price INTO next
      FROM cs.tariff_segments(t.id, at, at + interval '1 day') AS s
     WHERE s.starts_at > at
     ORDER BY s.starts_at
     LIMIT 1;
    RETURN jsonb_strip_nulls(jsonb_build_object(
        'transactionId', tx.id,
        'timestamp', cs.ocpp_time(at),
        'meterValue', round(coalesce(meter, tx.meter_start, 0))::bigint,
        'cost', (cost->>'total')::numeric,
        'state', 'Charging',
        'chargingPrice', jsonb_build_object('kWhPrice', round(now_p.energy_price * vat, 4),
                                            'hourPrice', round(now_p.time_price * vat, 4),
                                            'flatFee', round(t.session_fee * vat, 4)),
        'nextPeriod', CASE WHEN next.starts_at IS NOT NULL THEN jsonb_build_object(
            'atTime', cs.ocpp_time(next.starts_at),
            'chargingPrice', jsonb_build_object('kWhPrice', round(next.energy_price * vat, 4),
                                                'hourPrice', round(next.time_price * vat, 4),
                                                'flatFee', round(t.session_fee * vat, 4))) END));
END;
$$;

-- cs.tariff_transaction_event(st, transaction_id, event_type): a 2.0.1 / 2.1 TransactionEvent was
-- applied to the transaction: its cost is stored (when a tariff applies). Ended: returns
-- {"totalCost"} (the final total with VAT, 0.00 for a free one); a 2.1 station's Updated too (2.1:
-- the running cost; 2.0.1 allows totalCost only when the transaction ended). Updated of a running
-- transaction, either version:
-- when setting tariff.cost_updated_interval (seconds) is above 0 and the last CostUpdated for it (or,
-- before the first, the transaction's creation) is at least that long ago, queues CostUpdated with
-- the running total (ocpp.cost_updated). Returns {} otherwise, and when no tariff applies. Raises
-- nothing.
CREATE OR REPLACE FUNCTION cs.tariff_transaction_event(st cs.station, transaction_id integer, event_type text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    cost   jsonb;
    tx     cs.transaction;
    period numeric := (cs.setting('tariff.cost_updated_interval'))::numeric;
BEGIN
    cost := cs.transaction_cost_store(transaction_id);
    IF cost IS NULL THEN
        RETURN '{}'::jsonb;
    END IF;
    IF event_type = 'Ended' THEN
        RETURN jsonb_build_object('totalCost', cost->'total');
    END IF;
    SELECT * INTO tx FROM cs.transaction AS t WHERE t.id = tariff_transaction_event.transaction_id;
    IF event_type = 'Updated' AND period > 0 AND tx.stopped_at IS NULL
       AND coalesce((cost->>'cost_updated_at')::timestamptz, tx.created_at) <= now() - make_interval(secs => period) THEN
        PERFORM ocpp.cost_updated(st.identity, tx.transaction_ref, (cost->>'total')::numeric);
        UPDATE cs.transaction_cost AS c SET cost_updated_at = now() WHERE c.transaction_id = tx.id;
    END IF;
    IF event_type = 'Updated' AND st.version = '2.1' THEN
        RETURN jsonb_build_object('totalCost', cost->'total');
    END IF;
    RETURN '{}'::jsonb;
END;
$$;
