"""What the purchasing endpoints share."""








SUPPLIES = "purchasing.supplier_category"


