"""Every indicator the catalogue holds now is produced by the model the catalogue names (``formula_model``): a
catalogued code that no model computes would silently be "no data" for every department."""
from __future__ import annotations


def test_every_current_catalogue_code_is_produced_by_its_formula_model(simulated_platform):
    with simulated_platform.connect() as con:
        missing = con.execute("""
            select catalogue.indicator_code, catalogue.formula_model
            from reference.ref_indicators as catalogue
            where catalogue.valid_to is null
              and not exists (
                  select 1 from intermediate.int_indicator_values__unioned as produced
                  where produced.indicator_code = catalogue.indicator_code
                    and produced.formula_model = catalogue.formula_model)
            order by 1
        """).fetchall()
        current = con.execute("select count(*) from reference.ref_indicators where valid_to is null").fetchone()[0]
    assert current >= 30
    assert not missing, f"catalogued but produced by no model: {missing}"
