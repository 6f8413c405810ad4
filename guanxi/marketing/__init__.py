"""Marketing and loyalty (MKT-1…7): target groups, segments, campaigns and their return,
e-mail campaigns and journeys, lead capture, member points, price lists and coupons."""
