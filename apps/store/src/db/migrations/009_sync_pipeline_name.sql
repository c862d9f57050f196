-- The sales sync's pipeline is named sales_to_warehouse (the sync metrics' pipeline label, which the
-- sync-freshness SLO and the SalesSyncStalled alert select); earlier builds keyed its cursor row warehouse.
UPDATE sync_cursors SET pipeline = 'sales_to_warehouse'
WHERE pipeline = 'warehouse' AND NOT EXISTS (SELECT 1 FROM sync_cursors WHERE pipeline = 'sales_to_warehouse');
