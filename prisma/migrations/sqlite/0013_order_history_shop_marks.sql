-- PostgreSQL's order triggers learned to leave their per-customer marks to a bulk writer's one
-- shop-wide mark (ADR 0037). SQLite's row triggers keep marking customer by customer (one writer at
-- a time; its import meets its targets without it), so there is nothing to change here: this file
-- keeps the two dialects' migration histories in step.
SELECT 1;
