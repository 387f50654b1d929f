-- authkit sessions schema version 4: one-time tokens and throttle counters.
--
{{include tokens_counters.sql}}
