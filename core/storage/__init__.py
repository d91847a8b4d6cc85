"""Uploads and other files (notice attachments, photos, logos, plugin wheels, exports),
behind one interface, ``core.storage.store``: the filesystem under ``var/`` by default, the
database in the production shape (``GONGZHI_STORAGE``). Every key carries its district, and a
file is read only through that district's scope. ``core.storage.sniff`` checks an upload's
bytes before it is stored.
"""
