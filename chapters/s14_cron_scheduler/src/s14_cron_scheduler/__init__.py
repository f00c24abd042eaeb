"""s14_cron_scheduler: see README.md."""
