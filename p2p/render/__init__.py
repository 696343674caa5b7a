"""Rendering text for people to read: Markdown-safe escaping now, the Jinja page
templates of `p2p publish` later. Only this package knows Jinja."""
