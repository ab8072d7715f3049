-- OCPP 2.0.1 / 2.1 DataTransfer: the same handler table as 1.6. docs/v201.md, "DataTransfer".

-- cs.v201_data_transfer(st, payload): a 2.0.1 or 2.1 DataTransfer, answered by cs.answer_data_transfer
-- (db/functions/data_transfer.sql): data of any JSON type, statusInfo passed on.
CREATE OR REPLACE FUNCTION cs.v201_data_transfer(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$ BEGIN RETURN cs.answer_data_transfer(st, payload, st.version); END $$;
