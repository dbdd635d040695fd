"""The province named beside the brand: the signed-in user's own province (one deployment serves many)."""

from doluong.geo.tenancy import province_of_unit

PREFIXES = ("Tỉnh ", "Thành phố ")


def province(request):
    """``province_name``: today's province of the user's organisation, without its "Tỉnh"/"Thành phố"; nothing
    to add for a visitor or an organisation placed nowhere (the setting DOLUONG_PROVINCE_NAME stays)."""
    user = getattr(request, "user", None)
    organization = getattr(user, "organization", None) if user is not None and user.is_authenticated else None
    unit = getattr(organization, "unit", None) if organization is not None else None
    found = province_of_unit(unit)
    if found is None:
        return {}
    name = found.name
    for prefix in PREFIXES:
        name = name.removeprefix(prefix)
    return {"province_name": name}
