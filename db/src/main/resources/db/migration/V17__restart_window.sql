-- Issue 15: the restart budget's window is kept in the registry, so a gateway restart does not
-- give a crash-looping engine a fresh budget. A comma list of epoch milliseconds, oldest first
-- (at most sage.restart.max-restarts entries); empty when none.
-- The launch intent needs no column: it is the process columns with pid NULL (command_line and
-- process_start_time hold the command about to run and when it was asked for).
ALTER TABLE engines ADD COLUMN recent_restarts VARCHAR(4096) DEFAULT '' NOT NULL;
