"""p2p: peer-to-peer improvement challenges for sales teams, stored in git.

Kept empty of imports on purpose: `p2p submit` must start fast, so nothing heavy is
loaded until a command needs it.
"""

__version__ = "0.1.0"
