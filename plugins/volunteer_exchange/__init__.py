"""志愿积分: volunteer hours become points a volunteer spends on rewards anywhere in their
province (全省通兑通用)."""
