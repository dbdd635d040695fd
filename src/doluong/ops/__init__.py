"""doluong.ops"""
