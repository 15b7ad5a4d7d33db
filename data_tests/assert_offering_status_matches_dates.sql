-- An attempt's status agrees with the dates of its stages.
select
    offering_id,
    status,
    listing_date,
    withdrawal_date,
    hearing_passed_date,
from {{ ref('offerings') }}
where
    (status = 'listed') <> (listing_date is not null)
    or (status = 'withdrawn' and withdrawal_date is null)
    or (status = 'hearing_passed' and hearing_passed_date is null)
