"""doluong.api"""
