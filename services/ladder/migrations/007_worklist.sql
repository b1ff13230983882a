-- The round's worklist reads only the applications it can name (open, or not filed): once a
-- round closes, most of its applications are filed or withdrawn and are not read.
CREATE INDEX applications_worklist ON applications (round_year, applied_on)
    WHERE state IN ('applied', 'district_passed', 'recommended', 'not_filed');
