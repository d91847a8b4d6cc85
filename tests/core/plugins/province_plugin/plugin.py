"""A test plugin with operations across districts: one its manifest names, one it does not."""

from core.sdk import Plugin

plugin = Plugin("province")


@plugin.platform_operation("the test: how many districts there are, across districts", write=False)
async def districts_counted(number: int) -> int:
    return number + 1


@plugin.platform_operation("the test: an operation the manifest does not name", write=False)
async def undeclared() -> int:
    return 0
