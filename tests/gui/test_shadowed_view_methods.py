"""pyqtgraph's GraphicsLayoutWidget binds its layout's methods (``clear``, ``addItem``, …) on
each instance, so a subclass method of the same name never runs (session 39: a view's ``clear``
left the closed file's frame on screen). No view of ours may define one."""

import importlib
import inspect
import pkgutil
import sys

import pyqtgraph as pg

import insitu_tem.gui


def shadowed_names() -> set[str]:
    """Names a GraphicsLayoutWidget instance binds over its class's attributes."""
    widget = pg.GraphicsLayoutWidget()
    try:
        return {name for name, value in vars(widget).items() if callable(value)}
    finally:
        widget.deleteLater()


def defined_over_instance_bindings(cls, names: set[str]) -> list[str]:
    """The names in ``names`` that ``cls`` or a base of ours defines (never called)."""
    ours = [k for k in cls.__mro__ if k.__module__.startswith("insitu_tem")]
    return sorted(name for k in ours for name in names if name in vars(k))


def our_layout_widgets() -> list[type]:
    for info in pkgutil.walk_packages(insitu_tem.gui.__path__, prefix="insitu_tem.gui."):
        importlib.import_module(info.name)
    classes = []
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("insitu_tem.gui"):
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, pg.GraphicsLayoutWidget) and cls.__module__ == module_name:
                classes.append(cls)
    return classes


def test_no_view_defines_a_method_the_layout_binds_over_it(qtbot):
    names = shadowed_names()
    assert {"clear", "addItem"} <= names
    classes = our_layout_widgets()
    assert any(cls.__name__ == "CalibratedImageView" for cls in classes)
    offending = {cls.__name__: defined_over_instance_bindings(cls, names) for cls in classes}
    assert not {name: found for name, found in offending.items() if found}


def test_a_clear_method_on_a_view_is_caught(qtbot):
    class ViewWithClear(pg.GraphicsLayoutWidget):
        def clear(self):
            """Would never run."""

    ViewWithClear.__module__ = "insitu_tem.gui.example"
    assert defined_over_instance_bindings(ViewWithClear, shadowed_names()) == ["clear"]
