-- The inspection API's related contacts: the replies to a contact, and the
-- other contacts of its customer (the rule of connect.Contact.Customer: the
-- sender of customer mail, the destination of everything else). Without them
-- each contact page scanned every contact of its instance.
CREATE INDEX contacts_related ON contacts(related_id) WHERE related_id <> '';
CREATE INDEX contacts_customer ON contacts(instance_id,
  lower(CASE WHEN initiation_method IN ('INBOUND', 'API') THEN from_addr ELSE to_addr END), seq);
