"""Testing a Gongzhi plugin: pytest fixtures shipped with Gongzhi.

Install Gongzhi with its test extra next to the plugin (``pip install -e '.[test]'`` in a
checkout of Gongzhi, then ``pip install -e .`` in the plugin's folder) and the fixtures in
:mod:`core.testing.fixtures` are there in every pytest run, with nothing to import: pytest
loads them through the ``pytest11`` entry point. Each is named ``gongzhi_…``; the module's
docstring lists them and shows a test.
"""
