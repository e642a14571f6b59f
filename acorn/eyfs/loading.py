"""Loads a frozen framework module into the database. Used by the data migration and,
should the rows ever be missing (a test flush of the database), by current_framework()."""


def framework_load(get_model, module, *, current=True):
    """Idempotent: running it again for the same version changes nothing. `get_model`
    is `apps.get_model` in a migration, or a lookup of the real models."""
    Framework = get_model("eyfs", "Framework")
    Area = get_model("eyfs", "Area")
    Aspect = get_model("eyfs", "Aspect")
    Characteristic = get_model("eyfs", "Characteristic")
    AgeBand = get_model("eyfs", "AgeBand")

    framework, created = Framework.objects.get_or_create(
        version=module.VERSION, defaults={"name": module.NAME}
    )
    if current and not framework.is_current:
        Framework.objects.filter(is_current=True).update(is_current=False)
        framework.is_current = True
        framework.save(update_fields=["is_current"])
    if not created and Area.objects.filter(framework=framework).exists():
        return framework
    for position, (code, name, prime, aspects) in enumerate(module.AREAS):
        area = Area.objects.create(
            framework=framework, code=code, name=name, prime=prime, position=position
        )
        Aspect.objects.bulk_create(
            Aspect(area=area, code=a_code, name=a_name, position=a_position)
            for a_position, (a_code, a_name) in enumerate(aspects)
        )
    Characteristic.objects.bulk_create(
        Characteristic(
            framework=framework, code=code, name=name, description=description, position=position
        )
        for position, (code, name, description) in enumerate(module.CHARACTERISTICS)
    )
    AgeBand.objects.bulk_create(
        AgeBand(
            framework=framework,
            guidance=guidance,
            code=code,
            name=name,
            from_months=from_months,
            to_months=to_months,
            position=position,
        )
        for position, (guidance, code, name, from_months, to_months) in enumerate(module.AGE_BANDS)
    )
    return framework
