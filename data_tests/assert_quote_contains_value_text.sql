-- Provenance: the number as written must be inside the quote, and the quote must span its offsets.
select
    figure_id,
    document_id,
    value_text,
    quote,
    char_start,
    char_end,
from {{ ref('fct_figures') }}
where
    (value_text <> '' and not contains(quote, value_text))
    or char_end - char_start <> length(quote)
