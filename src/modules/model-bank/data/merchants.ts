import { type Category, category } from './categories.ts'

/**
 * Merchants and payees, with the bank-statement descriptor each one prints ("TESCO STORES 3297") and the category
 * it is enriched with. Placeholders in a descriptor: {n3}/{n4}/{n5} a store number (the customer's usual store,
 * sometimes another), {city} the customer's city, {ref} a per-payment reference.
 */
export interface Merchant {
  key: string
  /** Enrichment `merchant_name`. */
  name: string
  descriptor: string
  category: Category
  /** Typical amount in minor units (a debit's absolute value). */
  min: number
  max: number
  region: 'uk' | 'eu' | 'any'
}

function m (key: string, name: string, descriptor: string, cat: Category, min: number, max: number, region: Merchant['region'] = 'uk'): Merchant {
  return { key, name, descriptor, category: cat, min, max, region }
}

const C = {
  groceries: category('Shopping', 'Groceries'),
  general: category('Shopping', 'General'),
  clothing: category('Shopping', 'Clothing'),
  homeShop: category('Shopping', 'Home'),
  electronics: category('Shopping', 'Electronics & Software'),
  books: category('Shopping', 'Books'),
  coffee: category('Food & Dining', 'Coffee shops'),
  fastFood: category('Food & Dining', 'Fast Food'),
  delivery: category('Food & Dining', 'Delivery'),
  restaurants: category('Food & Dining', 'Restaurants'),
  bars: category('Food & Dining', 'Bars'),
  publicTransport: category('Transport', 'Public transport'),
  taxi: category('Transport', 'Taxi'),
  fuel: category('Transport', 'Gas & Fuel'),
  parking: category('Transport', 'Parking'),
  autoInsurance: category('Transport', 'Auto Insurance'),
  autoPayment: category('Transport', 'Auto Payment'),
  utilities: category('Bills', 'Utilities'),
  mobile: category('Bills', 'Mobile Phone'),
  internet: category('Bills', 'Internet'),
  television: category('Bills', 'Television'),
  bills: category('Bills'),
  movies: category('Entertainment', 'Movies & DVDs'),
  music: category('Entertainment', 'Music'),
  entertainment: category('Entertainment'),
  gym: category('Health & Fitness', 'Gym'),
  pharmacy: category('Health & Fitness', 'Pharmacy'),
  rent: category('Home', 'Rent'),
  mortgage: category('Home', 'Mortgage'),
  contents: category('Pensions & Insurances', 'Buildings and contents insurance'),
  life: category('Pensions & Insurances', 'Life insurance'),
  localTax: category('Taxes', 'Local Tax'),
  propertyTax: category('Taxes', 'Property Tax'),
  salesTax: category('Taxes', 'Sales Tax'),
  taxes: category('Taxes'),
  charity: category('Gifts & Donations', 'Charity'),
  air: category('Travel', 'Air Travel'),
  hotel: category('Travel', 'Hotel'),
  vacation: category('Travel', 'Vacation'),
  cash: category('Uncategorized', 'Cash & ATM'),
  bizGeneric: category('Business Services'),
  office: category('Business Services', 'Office Supplies'),
  shipping: category('Business Services', 'Shipping'),
  bizFinance: category('Business Services', 'Financial Services'),
  hair: category('Personal Care', 'Hair'),
}

export const MERCHANTS = {
  groceries: [
    m('tesco', 'Tesco', 'TESCO STORES {n4}', C.groceries, 800, 9500),
    m('sainsburys', "Sainsbury's", 'SAINSBURYS S/MKTS {n4}', C.groceries, 800, 9000),
    m('aldi', 'Aldi', 'ALDI {n3} {city}', C.groceries, 700, 7000),
    m('lidl-gb', 'Lidl', 'LIDL GB {city}', C.groceries, 600, 6500),
    m('waitrose', 'Waitrose', 'WAITROSE {n4}', C.groceries, 1000, 9500),
    m('ms', 'M&S', 'M&S SIMPLY FOOD {n4}', C.groceries, 400, 4500),
    m('lidl', 'Lidl', 'LIDL {n4} {city}', C.groceries, 600, 7000, 'eu'),
    m('aldi-eu', 'Aldi', 'ALDI {city}', C.groceries, 700, 7000, 'eu'),
    m('carrefour', 'Carrefour', 'CARREFOUR {city}', C.groceries, 900, 9000, 'eu'),
    m('spar', 'Spar', 'SPAR {n4} {city}', C.groceries, 300, 3500, 'eu'),
  ],
  coffee: [
    m('costa', 'Costa Coffee', 'COSTA COFFEE {n5}', C.coffee, 260, 720),
    m('pret', 'Pret A Manger', 'PRET A MANGER {city}', C.coffee, 250, 950),
    m('starbucks', 'Starbucks', 'STARBUCKS {city}', C.coffee, 280, 690, 'any'),
    m('nero', 'Caffe Nero', 'CAFFE NERO {n3} {city}', C.coffee, 250, 650),
  ],
  commute: [
    m('tfl', 'Transport for London', 'TFL TRAVEL CH', C.publicTransport, 280, 850),
  ],
  rail: [
    m('trainline', 'Trainline', 'TRAINLINE.COM', C.publicTransport, 900, 8900, 'any'),
  ],
  taxi: [
    m('uber', 'Uber', 'UBER *TRIP', C.taxi, 700, 3200, 'any'),
    m('bolt', 'Bolt', 'BOLT.EU/O/{n4}', C.taxi, 600, 2500, 'any'),
  ],
  eatingOut: [
    m('mcdonalds', "McDonald's", 'MCDONALDS {n5}', C.fastFood, 350, 1400, 'any'),
    m('greggs', 'Greggs', 'GREGGS {n4}', C.fastFood, 200, 900),
    m('nandos', "Nando's", 'NANDOS {city}', C.restaurants, 1500, 5500),
    m('wagamama', 'Wagamama', 'WAGAMAMA {city}', C.restaurants, 1500, 6000),
    m('pizza-express', 'Pizza Express', 'PIZZA EXPRESS {n4}', C.restaurants, 1800, 6500),
    m('wetherspoon', 'Wetherspoon', 'JD WETHERSPOON {n4}', C.bars, 500, 3500),
    m('deliveroo', 'Deliveroo', 'DELIVEROO', C.delivery, 1400, 4500, 'any'),
    m('just-eat', 'Just Eat', 'JUST EAT.CO.UK LTD', C.delivery, 1300, 4000),
    m('uber-eats', 'Uber Eats', 'UBER *EATS', C.delivery, 1200, 4200, 'any'),
  ],
  shopping: [
    m('primark', 'Primark', 'PRIMARK {city}', C.clothing, 600, 6000),
    m('next', 'Next', 'NEXT RETAIL LTD', C.clothing, 1500, 12000),
    m('hm', 'H&M', 'H&M {n4}', C.clothing, 999, 8000, 'any'),
    m('zara', 'Zara', 'ZARA {city}', C.clothing, 1599, 12000, 'any'),
    m('boots', 'Boots', 'BOOTS {n4}', C.pharmacy, 300, 4500),
    m('argos', 'Argos', 'ARGOS LTD', C.general, 800, 9000),
    m('ikea', 'IKEA', 'IKEA {city}', C.homeShop, 1000, 15000, 'any'),
    m('bq', 'B&Q', 'B & Q {n4}', C.homeShop, 500, 9000),
    m('waterstones', 'Waterstones', 'WATERSTONES {n3}', C.books, 799, 3500),
    m('barber', 'Barber', 'SUMUP *{city} BARBERS', C.hair, 1200, 3500),
    m('odeon', 'Odeon', 'ODEON CINEMAS', C.movies, 900, 3200),
    m('ticketmaster', 'Ticketmaster', 'TICKETMASTER UK', C.entertainment, 2500, 12000),
    m('shell', 'Shell', 'SHELL {city}', C.fuel, 2500, 8000, 'any'),
    m('bp', 'BP', 'BP {city}', C.fuel, 2500, 8000),
    m('ncp', 'NCP', 'NCP LTD {city}', C.parking, 300, 2500),
  ],
  online: [
    m('amazon', 'Amazon', 'AMAZON.CO.UK*{ref}', C.general, 500, 6500),
    m('amazon-mkt', 'Amazon', 'AMZNMKTPLACE', C.general, 600, 4500),
    m('asos', 'ASOS', 'ASOS.COM LTD', C.clothing, 1500, 9000),
    m('ebay', 'eBay', 'PAYPAL *EBAY', C.general, 500, 7000, 'any'),
    m('amazon-eu', 'Amazon', 'AMAZON EU SARL {ref}', C.general, 500, 6500, 'eu'),
  ],
  bigTicket: [
    m('jet2', 'Jet2holidays', 'JET2HOLIDAYS', C.vacation, 60000, 400000),
    m('british-airways', 'British Airways', 'BRITISH AIRWAYS {ref}', C.air, 15000, 200000, 'any'),
    m('easyjet', 'easyJet', 'EASYJET {ref}', C.air, 6000, 90000, 'any'),
    m('trailfinders', 'Trailfinders', 'TRAILFINDERS LTD', C.vacation, 80000, 500000),
    m('currys', 'Currys', 'CURRYS {n4}', C.electronics, 20000, 250000),
    m('apple-store', 'Apple', 'APPLE STORE R{n3}', C.electronics, 30000, 300000, 'any'),
    m('john-lewis', 'John Lewis', 'JOHN LEWIS {n3}', C.homeShop, 10000, 300000),
    m('dfs', 'DFS', 'DFS TRADING LTD', C.homeShop, 50000, 300000),
    m('arnold-clark', 'Arnold Clark', 'ARNOLD CLARK', C.autoPayment, 100000, 800000),
    m('booking', 'Booking.com', 'BOOKING.COM {ref}', C.hotel, 15000, 250000, 'eu'),
    m('fnac', 'Fnac', 'FNAC {city}', C.electronics, 10000, 200000, 'eu'),
  ],
  holidayEur: [
    m('carrefour-h', 'Carrefour', 'CARREFOUR {city}', C.groceries, 500, 6000, 'any'),
    m('ryanair', 'Ryanair', 'RYANAIR {ref}', C.air, 3000, 25000, 'any'),
    m('airbnb', 'Airbnb', 'AIRBNB * HM{ref}', C.hotel, 8000, 60000, 'any'),
    m('restaurant', 'Restaurant', 'REST {city} {n3}', C.restaurants, 1500, 9000, 'any'),
    m('starbucks-h', 'Starbucks', 'STARBUCKS {city}', C.coffee, 300, 800, 'any'),
    m('uber-h', 'Uber', 'UBER *TRIP', C.taxi, 800, 3500, 'any'),
  ],
  atm: [
    m('atm', 'Cash', 'CASH {operator} {city}', C.cash, 1000, 10000, 'any'),
  ],
  energy: [
    m('british-gas', 'British Gas', 'BRITISH GAS', C.utilities, 6000, 18000),
    m('octopus', 'Octopus Energy', 'OCTOPUS ENERGY', C.utilities, 6000, 17000),
    m('edf', 'EDF', 'EDF ENERGY', C.utilities, 6000, 17000),
    m('ovo', 'OVO', 'OVO ENERGY', C.utilities, 6000, 17000),
    m('eon-next', 'E.ON Next', 'E.ON NEXT', C.utilities, 6000, 17000),
    m('engie', 'Engie', 'ENGIE {ref}', C.utilities, 5000, 15000, 'eu'),
    m('eon', 'E.ON', 'E.ON ENERGIE {ref}', C.utilities, 5000, 15000, 'eu'),
    m('iberdrola', 'Iberdrola', 'IBERDROLA CLIENTES', C.utilities, 5000, 15000, 'eu'),
  ],
  water: [
    m('thames-water', 'Thames Water', 'THAMES WATER', C.utilities, 2800, 5200),
    m('severn-trent', 'Severn Trent', 'SEVERN TRENT WATER', C.utilities, 2500, 4800),
    m('united-utilities', 'United Utilities', 'UNITED UTILITIES', C.utilities, 2500, 4800),
    m('anglian-water', 'Anglian Water', 'ANGLIAN WATER', C.utilities, 2500, 4800),
    m('yorkshire-water', 'Yorkshire Water', 'YORKSHIRE WATER', C.utilities, 2500, 4800),
  ],
  phone: [
    m('ee', 'EE', 'EE LIMITED', C.mobile, 1200, 4800),
    m('vodafone', 'Vodafone', 'VODAFONE LTD', C.mobile, 1000, 4500, 'any'),
    m('o2', 'O2', 'O2', C.mobile, 1000, 4500),
    m('three', 'Three', 'HUTCHISON 3G UK', C.mobile, 1000, 4000),
    m('giffgaff', 'giffgaff', 'GIFFGAFF', C.mobile, 600, 2000),
    m('orange', 'Orange', 'ORANGE SA {ref}', C.mobile, 1000, 4000, 'eu'),
    m('telekom', 'Telekom', 'TELEKOM DEUTSCHLAND', C.mobile, 1000, 4500, 'eu'),
  ],
  broadband: [
    m('bt', 'BT', 'BT GROUP PLC', C.internet, 2500, 6000),
    m('sky', 'Sky', 'SKY DIGITAL', C.television, 2500, 8000),
    m('virgin-media', 'Virgin Media', 'VIRGIN MEDIA', C.internet, 3000, 7500),
    m('talktalk', 'TalkTalk', 'TALKTALK LIMITED', C.internet, 2200, 4500),
    m('movistar', 'Movistar', 'MOVISTAR FIBRA', C.internet, 3000, 6000, 'eu'),
    m('ziggo', 'Ziggo', 'ZIGGO SERVICES', C.internet, 3000, 6000, 'eu'),
  ],
  insurance: [
    m('aviva', 'Aviva', 'AVIVA INSURANCE', C.contents, 1200, 3500),
    m('direct-line', 'Direct Line', 'DIRECT LINE INS', C.contents, 1200, 3500),
    m('admiral', 'Admiral', 'ADMIRAL INSURANCE', C.autoInsurance, 3000, 9000),
    m('lv', 'LV=', 'LV INSURANCE', C.life, 1000, 3000),
    m('allianz', 'Allianz', 'ALLIANZ VERSICHERUNG', C.contents, 1200, 4000, 'eu'),
  ],
  gym: [
    m('puregym', 'PureGym', 'PUREGYM LTD', C.gym, 1999, 3499),
    m('gym-group', 'The Gym Group', 'THE GYM LTD', C.gym, 1899, 2999),
    m('david-lloyd', 'David Lloyd', 'DAVID LLOYD LEISURE', C.gym, 7500, 13000),
    m('basic-fit', 'Basic-Fit', 'BASIC-FIT {ref}', C.gym, 1999, 2999, 'eu'),
  ],
  charity: [
    m('oxfam', 'Oxfam', 'OXFAM', C.charity, 500, 2000),
    m('red-cross', 'British Red Cross', 'BRITISH RED CROSS', C.charity, 500, 2000),
    m('cruk', 'Cancer Research UK', 'CANCER RESEARCH UK', C.charity, 500, 2500),
    m('msf', 'Medecins Sans Frontieres', 'MSF {ref}', C.charity, 500, 2500, 'eu'),
  ],
  mortgageLenders: [
    m('nationwide-mtg', 'Nationwide', 'NATIONWIDE BS MORTGAGE', C.mortgage, 0, 0),
    m('halifax-mtg', 'Halifax', 'HALIFAX MORTGAGE', C.mortgage, 0, 0),
    m('santander-mtg', 'Santander', 'SANTANDER MORTGAGE', C.mortgage, 0, 0),
    m('barclays-mtg', 'Barclays', 'BARCLAYS MORTGAGE', C.mortgage, 0, 0),
    m('hypo', 'Hypothekenbank', 'HYPOTHEK {ref}', C.mortgage, 0, 0, 'eu'),
  ],
  lettingAgents: [
    m('foxtons', 'Foxtons', 'FOXTONS LTD RENT', C.rent, 0, 0),
    m('savills', 'Savills', 'SAVILLS LETTINGS', C.rent, 0, 0),
    m('openrent', 'OpenRent', 'OPENRENT LTD', C.rent, 0, 0),
    m('hausverwaltung', 'Hausverwaltung', 'MIETE {ref}', C.rent, 0, 0, 'eu'),
  ],
  externalCards: [
    m('amex', 'American Express', 'AMERICAN EXPRESS', C.bills, 0, 0),
    m('barclaycard', 'Barclaycard', 'BARCLAYCARD', C.bills, 0, 0),
    m('mbna', 'MBNA', 'MBNA LIMITED', C.bills, 0, 0),
    m('capital-one', 'Capital One', 'CAPITAL ONE', C.bills, 0, 0),
    m('amex-eu', 'American Express', 'AMERICAN EXPRESS EUROPE', C.bills, 0, 0, 'eu'),
  ],
  businessSoftware: [
    m('xero', 'Xero', 'XERO UK', C.bizGeneric, 1500, 6500),
    m('google-workspace', 'Google', 'GOOGLE *GSUITE_{ref}', C.bizGeneric, 1000, 6000, 'any'),
    m('microsoft-365', 'Microsoft', 'MICROSOFT*365 {ref}', C.bizGeneric, 1000, 6000, 'any'),
    m('slack', 'Slack', 'SLACK T{ref}', C.bizGeneric, 700, 5000, 'any'),
  ],
  businessSpend: [
    m('viking', 'Viking', 'VIKING DIRECT', C.office, 1500, 15000),
    m('ryman', 'Ryman', 'RYMAN {n4}', C.office, 500, 6000),
    m('royal-mail', 'Royal Mail', 'ROYAL MAIL GROUP', C.shipping, 200, 4500),
    m('dhl', 'DHL', 'DHL EXPRESS {ref}', C.shipping, 1500, 9000, 'any'),
    m('stripe', 'Stripe', 'STRIPE FEES', C.bizFinance, 500, 9000, 'any'),
  ],
} satisfies Record<string, Merchant[]>

export type MerchantGroup = keyof typeof MERCHANTS

/** The merchants of a group that trade where the customer lives. */
export function merchantsFor (group: MerchantGroup, region: 'uk' | 'eu'): Merchant[] {
  return MERCHANTS[group].filter((x) => x.region === region || x.region === 'any')
}

/** Subscriptions at list price (minor units), one price per plan. */
export const SUBSCRIPTIONS = [
  { merchant: m('netflix', 'Netflix', 'NETFLIX.COM', C.movies, 0, 0, 'any'), prices: [599, 1099, 1899] },
  { merchant: m('spotify', 'Spotify', 'SPOTIFY', C.music, 0, 0, 'any'), prices: [1199, 1799, 599] },
  { merchant: m('amazon-prime', 'Amazon Prime', 'AMAZON PRIME*{ref}', C.general, 0, 0, 'any'), prices: [899] },
  { merchant: m('apple', 'Apple', 'APPLE.COM/BILL', C.electronics, 0, 0, 'any'), prices: [99, 299, 899, 1095] },
  { merchant: m('disney', 'Disney+', 'DISNEY PLUS', C.movies, 0, 0, 'any'), prices: [499, 899] },
  { merchant: m('youtube', 'YouTube Premium', 'GOOGLE *YOUTUBEPREMIUM', C.entertainment, 0, 0, 'any'), prices: [1299] },
  { merchant: m('times', 'The Times', 'TIMES NEWSPAPERS', category('Entertainment', 'Newspaper & Magazines'), 0, 0), prices: [1300, 2600] },
] as const

export const ATM_OPERATORS = ['BARCLAYS', 'HSBC', 'LLOYDS BANK', 'NOTEMACHINE', 'CARDTRONICS', 'SAINSBURYS BANK', 'NATWEST'] as const
export const ATM_OPERATORS_EU = ['EURONET', 'SPARKASSE', 'CAIXABANK', 'BNP PARIBAS', 'ING'] as const

/** Council tax and business rates, UK only. */
export const COUNCIL_TAX = category('Taxes', 'Local Tax')
export const BUSINESS_RATES = category('Taxes', 'Property Tax')
export const VAT = category('Taxes', 'Sales Tax')
export const TAXES = category('Taxes')
