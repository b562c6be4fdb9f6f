"""The declared public surface of assay.items."""

import assay.items


def test_all_names_resolve() -> None:
    for name in assay.items.__all__:
        assert hasattr(assay.items, name), name


def test_engine_contract_names_are_exported() -> None:
    wanted = {
        "SkillBlueprint",
        "AssessmentBlueprint",
        "SectionSpec",
        "ItemSlot",
        "Catalog",
        "load_catalog",
        "plan_assessment",
        "generate_item",
        "UnknownBlueprintError",
        "BlueprintError",
        "ItemInstance",
    }
    assert wanted <= set(assay.items.__all__)
    assert issubclass(assay.items.UnknownBlueprintError, LookupError)
    assert issubclass(assay.items.BlueprintError, ValueError)


def test_generators_registered_for_the_four_operations() -> None:
    from assay.items.generator import generators

    assert {"addition", "subtraction", "multiplication", "division"} <= set(generators())
