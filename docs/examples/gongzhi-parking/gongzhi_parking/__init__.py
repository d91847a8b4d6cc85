"""Community parking (社区停车管理): an example of a third-party Gongzhi plugin.

Spaces in each community, residents' applications for them, and a monthly allocation that
gives free spaces to waiting applications in the order they were made. It is written only
against ``core.sdk``; ``plugin.py`` holds its hook implementations.
"""
