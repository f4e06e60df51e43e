/** Word lists for synthetic customers. Names are common in the UK; employers and clients are fictional. */

export const FIRST_NAMES = [
  'Oliver', 'George', 'Harry', 'Jack', 'Jacob', 'Noah', 'Charlie', 'Thomas', 'Oscar', 'William',
  'James', 'Leo', 'Alfie', 'Henry', 'Joshua', 'Freddie', 'Archie', 'Ethan', 'Isaac', 'Alexander',
  'Daniel', 'Samuel', 'Joseph', 'Benjamin', 'Mohammed', 'Arthur', 'David', 'Michael', 'Andrew', 'Paul',
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Emily', 'Sophia', 'Grace', 'Mia', 'Poppy', 'Ella',
  'Lily', 'Evie', 'Isabella', 'Sophie', 'Ivy', 'Freya', 'Harper', 'Willow', 'Charlotte', 'Jessica',
  'Chloe', 'Ruby', 'Hannah', 'Sarah', 'Emma', 'Lucy', 'Rebecca', 'Laura', 'Priya', 'Aisha',
] as const

export const SURNAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright',
  'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke',
  'Patel', 'Khan', 'Lewis', 'James', 'Phillips', 'Mason', 'Mitchell', 'Rose', 'Davis', 'Rodriguez',
  'Cox', 'Alexander', 'Morris', 'Hughes', 'Edwards', 'Turner', 'Harris', 'Martin', 'Cooper', 'Hill',
  'Ward', 'Morgan', 'Baker', 'Harrison', 'Young', 'Allen', 'King', 'Scott', 'Campbell', 'Anderson',
  'Kelly', 'Murphy', 'Singh', 'Ali', 'Shah', "O'Brien", 'Bennett', 'Carter', 'Price', 'Shaw',
] as const

export const EMPLOYERS = [
  'ACME LTD', 'NORTHWIND TRADING LTD', 'BRIGHTWATER CONSULTING', 'KESTREL SYSTEMS LTD', 'HARBOUR LOGISTICS PLC',
  'ORCHARD HEALTHCARE', 'MERIDIAN ANALYTICS LTD', 'BLUEBELL FOODS LTD', 'CASTLEGATE PROPERTY', 'LANTERN MEDIA LTD',
  'PENNINE ENGINEERING', 'SILVERBIRCH SCHOOLS TRUST', 'ASHDOWN INSURANCE LTD', 'COPPERLEAF RETAIL LTD', 'FENWAY ARCHITECTS',
  'REDSTONE BUILDERS LTD', 'WILLOWBROOK NHS TRUST', 'THAMESIDE COUNCIL', 'HIGHFIELD UNIVERSITY', 'OAKRIDGE LEGAL LLP',
] as const

/** Fictional clients paying a business customer's invoices. */
export const BUSINESS_CLIENTS = [
  'HOLLOWAY & CO', 'PIKE DESIGN LTD', 'GREENLANE CAFES', 'MARLOW EVENTS', 'NORTHGATE DENTAL', 'QUAYSIDE HOTELS',
  'SPRINGFIELD MOTORS', 'TIDEWATER MARINE', 'BECKETT STUDIOS', 'ELMWOOD NURSERIES',
] as const

/** UK towns with the council that bills their council tax. */
export const UK_PLACES = [
  ['LONDON', 'LB CAMDEN'], ['LONDON', 'LB HACKNEY'], ['LONDON', 'LB LAMBETH'], ['LONDON', 'RB GREENWICH'],
  ['MANCHESTER', 'MANCHESTER CITY COUNCIL'], ['LEEDS', 'LEEDS CITY COUNCIL'], ['BIRMINGHAM', 'BIRMINGHAM CITY COUNCIL'],
  ['BRISTOL', 'BRISTOL CITY COUNCIL'], ['GLASGOW', 'GLASGOW CITY COUNCIL'], ['EDINBURGH', 'CITY OF EDINBURGH COUNCIL'],
  ['CARDIFF', 'CARDIFF COUNCIL'], ['LIVERPOOL', 'LIVERPOOL CITY COUNCIL'], ['NOTTINGHAM', 'NOTTINGHAM CITY COUNCIL'],
  ['SHEFFIELD', 'SHEFFIELD CITY COUNCIL'], ['BRIGHTON', 'BRIGHTON & HOVE CC'], ['READING', 'READING BOROUGH COUNCIL'],
  ['YORK', 'CITY OF YORK COUNCIL'], ['OXFORD', 'OXFORD CITY COUNCIL'], ['CAMBRIDGE', 'CAMBRIDGE CITY COUNCIL'],
  ['NEWCASTLE', 'NEWCASTLE CITY COUNCIL'],
] as const

/** Cities for the customers of continental providers, by country. */
export const EU_CITIES: Readonly<Record<string, readonly string[]>> = {
  DE: ['BERLIN', 'MUENCHEN', 'HAMBURG', 'KOELN', 'FRANKFURT'],
  FR: ['PARIS', 'LYON', 'MARSEILLE', 'TOULOUSE', 'NANTES'],
  ES: ['MADRID', 'BARCELONA', 'VALENCIA', 'SEVILLA', 'BILBAO'],
  IT: ['MILANO', 'ROMA', 'TORINO', 'BOLOGNA', 'FIRENZE'],
  NL: ['AMSTERDAM', 'ROTTERDAM', 'UTRECHT', 'DEN HAAG', 'EINDHOVEN'],
  AT: ['WIEN', 'GRAZ', 'LINZ', 'SALZBURG', 'INNSBRUCK'],
  BE: ['BRUXELLES', 'ANTWERPEN', 'GENT', 'LIEGE', 'BRUGGE'],
  FI: ['HELSINKI', 'ESPOO', 'TAMPERE', 'TURKU', 'OULU'],
  IE: ['DUBLIN', 'CORK', 'GALWAY', 'LIMERICK', 'WATERFORD'],
}

/** Where a GB customer with a euro account spends it. */
export const HOLIDAY_CITIES = ['PARIS', 'BARCELONA', 'LISBOA', 'ROMA', 'AMSTERDAM', 'DUBLIN', 'BERLIN', 'MALAGA'] as const
