"""Query parameters as the selectors' filter parsers expect them."""


def filter_params(**values: str) -> dict[str, str]:
    """The filters a list received, NUL characters dropped: PostgreSQL refuses them in text and
    no real value contains one."""
    return {name: value.replace("\x00", "") for name, value in values.items()}
