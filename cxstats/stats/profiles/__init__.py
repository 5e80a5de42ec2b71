"""Customer profiles from satisfaction and repurchase intention (the Jones-Sasser grid).

``analyze_profiles`` classifies each customer as loyalist (high satisfaction, high
repurchase), mercenary (high satisfaction, low repurchase), hostage (low satisfaction, high
repurchase) or defector (low on both), estimates the share of each profile with a confidence
interval, and tells what distinguishes each profile from the other customers.
"""

from cxstats.stats.profiles.analysis import analyze_profiles
from cxstats.stats.profiles.grid import PROFILES, classify, share_intervals
from cxstats.stats.profiles.result import ProfilesResult

__all__ = ["analyze_profiles", "classify", "share_intervals", "PROFILES", "ProfilesResult"]
