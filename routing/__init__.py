"""Travel times and vehicle routing: road networks, the bookmobile week, courier runs, and an
independent solution checker. Pure: no Qt, no project database, no printing."""
