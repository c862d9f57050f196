-- Experiment assignments (features/experiments). Assignment itself is a pure function of the unit
-- id (a hash), so this table is not needed to serve a variant; it records the first exposure and the
-- first conversion of each unit, so each is counted once however often the unit is evaluated.
CREATE TABLE experiment_assignments (
  experiment TEXT NOT NULL,
  unit_type TEXT NOT NULL CHECK (unit_type IN ('terminal', 'customer')),
  unit_id TEXT NOT NULL,
  variant TEXT NOT NULL,
  assigned_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  converted_at TIMESTAMPTZ,
  PRIMARY KEY (experiment, unit_type, unit_id)
);
