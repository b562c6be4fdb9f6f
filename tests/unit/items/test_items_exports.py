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


def test_generators_registered_for_every_domain() -> None:
    from assay.items.generator import generators

    assert {"addition", "subtraction", "multiplication", "division"} <= set(generators())
    subnetting = {"network_address", "broadcast_address", "usable_hosts", "mask_to_prefix"}
    assert {f"subnet_{name}" for name in subnetting | {"prefix_to_mask"}} <= set(generators())
    python = {"count_chars", "largest", "reverse_words", "is_palindrome", "word_counts"}
    assert {f"python_{name}" for name in python} <= set(generators())


def test_grading_surface() -> None:
    import assay.grading

    for name in assay.grading.__all__:
        assert hasattr(assay.grading, name), name
    assert {"score_response", "grade_response", "GradedResponse"} <= set(assay.grading.__all__)
