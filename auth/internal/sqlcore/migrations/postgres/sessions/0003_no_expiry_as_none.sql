-- authkit sessions schema version 3: one encoding of times in every
-- column and every store. "No absolute expiry" was 0 in expires_at, so
-- that an absolute expiry at the Unix epoch itself could not be stored;
-- it is now the zero time's encoding of the other columns, math.MinInt64
-- (written as an expression: the literal would not fit), and the epoch is
-- an instant like any other. Every 0 stored before meant none: the epoch
-- was refused.
UPDATE {{schema}}auth_sessions SET expires_at = (-9223372036854775807 - 1) WHERE expires_at = 0;
ALTER TABLE {{schema}}auth_sessions ALTER COLUMN expires_at SET DEFAULT (-9223372036854775807 - 1);
