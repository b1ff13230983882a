-- A registry correction of a profile or flag fact's valid date (ProfileFactCorrected) retracts
-- the field from the change its old event carried; kept apart and applied on read, so the
-- correction and the change it corrects may arrive in either order.
CREATE TABLE profile_retractions (
    firm_id   uuid NOT NULL,
    sequence  bigint NOT NULL,
    field     text NOT NULL,
    PRIMARY KEY (firm_id, sequence, field)
);
