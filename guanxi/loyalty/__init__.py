"""Loyalty (忠诚度): warning lights (警报客户), the loyalty matrix and referrals (转介绍)."""
