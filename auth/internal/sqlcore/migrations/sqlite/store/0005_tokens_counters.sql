-- authkit schema version 5: one-time tokens and throttle counters.
--
{{include tokens_counters.sql}}
